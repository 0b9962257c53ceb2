package io.amifleet.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.config.Selector;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.queue.QueueSender;
import io.amifleet.dispatcher.job.JobBuilder;
import io.amifleet.dispatcher.testing.TestAccounts;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DispatcherTest {
  private static final String QUEUE_DOWN =
      "Unable to execute HTTP request: Connect to sqs.us-east-1.amazonaws.com:443 failed:"
          + " Connection refused";

  private static List<JobMessage> jobs(int count, String region) {
    var account = TestAccounts.account("111111111111", List.of(region), Selector.everything());
    return IntStream.range(0, count)
        .mapToObj(
            i ->
                JobBuilder.build(
                    "run-1",
                    account,
                    TestAccounts.running(String.format("i-%08x", i), region),
                    Instant.parse("2026-11-28T01:00:00Z")))
        .toList();
  }

  @Test
  void jobsNotEnqueuedInARegionAreOneLineWithTheirCountAFewInstancesAndTheError() {
    List<JobMessage> jobs = jobs(40, "us-east-1");
    List<QueueSender.Failure> failures = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      failures.add(new QueueSender.Failure(i, "ClientError", QUEUE_DOWN));
    }

    String line = Dispatcher.notEnqueued("us-east-1", failures, jobs);

    assertThat(line)
        .isEqualTo(
            "not enqueued in us-east-1: 40 job(s) (i-00000000, i-00000001, i-00000002 and 37"
                + " more): "
                + QUEUE_DOWN);
  }

  @Test
  void otherDistinctErrorsOfTheRegionAreCountedNotRepeated() {
    List<JobMessage> jobs = jobs(2, "eu-west-1");
    List<QueueSender.Failure> failures =
        List.of(
            new QueueSender.Failure(0, "ClientError", QUEUE_DOWN),
            new QueueSender.Failure(1, "AccessDenied", "not allowed"));

    assertThat(Dispatcher.notEnqueued("eu-west-1", failures, jobs))
        .isEqualTo(
            "not enqueued in eu-west-1: 2 job(s) (i-00000000, i-00000001): "
                + QUEUE_DOWN
                + " (and 1 other error(s))");
  }
}
