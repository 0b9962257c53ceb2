package io.amifleet.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.cli.embedded.EmbeddedSqs;
import io.amifleet.common.aws.ApiCallStats;
import io.amifleet.common.aws.AwsSettings;
import io.amifleet.common.config.Environment;
import io.amifleet.common.inject.Bootstrap;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.message.JobIds;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.queue.QueueAdmin;
import io.amifleet.common.queue.QueueSender;
import io.amifleet.common.queue.QueueSettings;
import io.amifleet.common.queue.Queues;
import io.amifleet.dispatcher.DispatcherModule;
import io.amifleet.dispatcher.enqueue.JobEnqueuer;
import io.amifleet.emulator.EmulatedAws;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scenario 5: the dispatcher's enqueue stage putting M jobs on the embedded ElasticMQ queue (the
 * same JobEnqueuer and SQS batch manager as {@code dispatch}).
 */
final class DispatchRateScenario {
  private final BenchConfig config;

  DispatchRateScenario(BenchConfig config) {
    this.config = config;
  }

  void run(List<Measure> measures, ObjectNode json) {
    int m = config.dispatched();
    try (Closer closer = new Closer()) {
      EmbeddedSqs sqs = closer.register("embedded SQS", EmbeddedSqs.start());
      var injector =
          Bootstrap.of(Environment.of(Map.of()), closer)
              .aws(
                  AwsSettings.defaults()
                      .withRegion(ShellLoopScenario.REGION)
                      .withSqsEndpoint(sqs.endpoint())
                      .withHubCredentials(EmulatedAws.hubCredentials()))
              .queues(QueueSettings.ofPrefix("rate"))
              .install(new DispatcherModule(DispatcherModule.DEFAULT_PARALLELISM))
              .start();
      injector.getInstance(QueueAdmin.class).create("rate", 5);
      String url = injector.getInstance(Queues.class).jobsUrl();
      List<JobMessage> jobs = new ArrayList<>(m);
      for (int i = 0; i < m; i++) {
        String account = String.format("4%011d", i % 100);
        String instance = String.format("i-%017x", i);
        String jobId = JobIds.jobId("rate", account, ShellLoopScenario.REGION, instance);
        jobs.add(
            JobMessage.of(
                jobId,
                "rate",
                account,
                ShellLoopScenario.REGION,
                "arn:aws:iam::" + account + ":role/AmiFleetCreator",
                "bench-external-id",
                instance,
                "rate-" + instance,
                false,
                Map.of("Purpose", "bench"),
                true,
                Instant.now()));
      }
      JobEnqueuer enqueuer = injector.getInstance(JobEnqueuer.class);
      // Warm-up: the first sends pay for class loading and connections, not for dispatching.
      enqueuer.enqueue(url, jobs.subList(0, Math.min(200, m)));
      injector.getInstance(ApiCallStats.class).reset();
      long start = System.nanoTime();
      QueueSender.Report report = enqueuer.enqueue(url, jobs);
      long millis = Math.max(1, (System.nanoTime() - start) / 1_000_000);
      double rate = m * 1000.0 / millis;
      long batches = injector.getInstance(ApiCallStats.class).calls("SQS.SendMessageBatch");
      String s = "5. dispatch rate (M = " + m + ", embedded ElasticMQ)";
      measures.add(
          Measure.check(
              s,
              "messages enqueued",
              report.sent() + " of " + m,
              "= M",
              report.sent() == m && report.failures().isEmpty()));
      measures.add(
          Measure.check(
              s,
              "messages per second",
              String.format("%.0f/s (%s)", rate, ShellLoopScenario.seconds(millis)),
              ">= 2000/s",
              rate >= 2000));
      measures.add(
          Measure.info(
              s,
              "SendMessageBatch calls",
              batches
                  + String.format(" (%.1f messages per call)", m / (double) Math.max(1, batches))));
      json.putObject("dispatchRate")
          .put("messages", m)
          .put("millis", millis)
          .put("perSecond", rate)
          .put("sendMessageBatchCalls", batches);
    }
  }
}
