package io.amifleet.dispatcher;

import static io.amifleet.dispatcher.testing.TestAccounts.account;
import static io.amifleet.dispatcher.testing.TestAccounts.running;
import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.aws.ApiCallStats;
import io.amifleet.common.aws.AwsRuntime;
import io.amifleet.common.aws.AwsSettings;
import io.amifleet.common.aws.RoleCredentials;
import io.amifleet.common.config.OrganizationAccounts;
import io.amifleet.common.config.Selector;
import io.amifleet.common.config.Targets;
import io.amifleet.common.json.Json;
import io.amifleet.common.ledger.RunRecorder;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.queue.InProcessSqs;
import io.amifleet.common.queue.QueueAdmin;
import io.amifleet.common.queue.QueueSender;
import io.amifleet.common.queue.QueueSettings;
import io.amifleet.common.queue.Queues;
import io.amifleet.dispatcher.enqueue.JobEnqueuer;
import io.amifleet.dispatcher.resolve.TargetResolver;
import io.amifleet.dispatcher.testing.FakeInstanceFinder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.batchmanager.SqsAsyncBatchManager;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The dispatcher sends each account's jobs as soon as its search ends, through the real enqueuer,
 * batch manager and an in-process SQS queue: the workers start on the first account while a slow
 * one is still searched. The ledger hears of the run before the first job and of the jobs once.
 */
class DispatchAsFoundTest {
  private static final String FAST = "111111111111";
  private static final String SLOW = "222222222222";
  private static final String REGION = "us-east-1";

  private final FakeInstanceFinder finder = new FakeInstanceFinder(Duration.ofMillis(5));
  private final InProcessSqs sqs = new InProcessSqs();
  private final SqsAsyncBatchManager batches =
      SqsAsyncBatchManager.builder()
          .client(sqs)
          .scheduledExecutor(Executors.newSingleThreadScheduledExecutor())
          .overrideConfiguration(
              b -> b.maxBatchSize(10).sendRequestFrequency(Duration.ofMillis(20)))
          .build();
  private final AwsRuntime runtime = new AwsRuntime(AwsSettings.defaults(), new ApiCallStats());
  private final StsClient sts =
      StsClient.builder()
          .region(Region.US_EAST_1)
          .credentialsProvider(AnonymousCredentialsProvider.create())
          .build();
  private final ExecutorService stsPool = Executors.newSingleThreadExecutor();
  private final List<String> ledger = new ArrayList<>();
  private final RunRecorder recorder =
      new RunRecorder() {
        @Override
        public synchronized void opened(RunOpening run) {
          ledger.add("opened " + run.runId());
        }

        @Override
        public synchronized void dispatched(String runId, List<DispatchedJob> jobs) {
          ledger.add("dispatched " + runId + ": " + jobs.size());
        }
      };

  @AfterEach
  void close() throws Exception {
    finder.close();
    batches.close();
    sqs.close();
    sts.close();
    stsPool.shutdownNow();
    runtime.close();
  }

  private Dispatcher dispatcher() {
    return new Dispatcher(
        new TargetResolver(finder, 8),
        new JobEnqueuer(new QueueSender(batches), new MessageCodec(Json.newMapper())),
        new Queues(sqs, QueueSettings.ofPrefix("t")),
        Clock.fixed(Instant.parse("2026-12-01T01:00:00Z"), ZoneOffset.UTC),
        new OrganizationAccounts(runtime, new RoleCredentials(sts, stsPool)),
        recorder);
  }

  private synchronized List<String> ledger() {
    return List.copyOf(ledger);
  }

  @Test
  void anAccountsJobsAreOnTheQueueWhileAnotherAccountIsStillSearched() throws Exception {
    String jobsUrl = new QueueAdmin(sqs, Json.newMapper()).create("t", 5).jobs();
    finder
        .answer(FAST, REGION, running("i-0000000a", REGION), running("i-0000000b", REGION))
        .answer(SLOW, REGION, running("i-0000000c", REGION));
    CompletableFuture<Void> slowAnswers = finder.hold(SLOW, REGION);
    Targets targets =
        new Targets(
            "targets.yaml",
            List.of(
                account(SLOW, List.of(REGION), Selector.everything()),
                account(FAST, List.of(REGION), Selector.everything())));

    CompletableFuture<Dispatcher.Dispatched> dispatching =
        CompletableFuture.supplyAsync(() -> dispatcher().dispatchAsFound(targets, "run-1"));

    List<Message> first = receive(jobsUrl, 2);
    assertThat(first).allSatisfy(m -> assertThat(m.body()).contains(FAST));
    assertThat(dispatching).isNotDone();
    assertThat(ledger()).containsExactly("opened run-1");

    slowAnswers.complete(null);
    Dispatcher.Dispatched done = dispatching.get(10, TimeUnit.SECONDS);

    assertThat(receive(jobsUrl, 1)).allSatisfy(m -> assertThat(m.body()).contains(SLOW));
    assertThat(done.report().accounts())
        .extracting(
            DispatchReport.AccountSummary::accountId, DispatchReport.AccountSummary::enqueued)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(SLOW, 1),
            org.assertj.core.groups.Tuple.tuple(FAST, 2));
    assertThat(done.report().jobs()).hasSize(3);
    assertThat(done.report().ok()).isTrue();
    assertThat(ledger()).containsExactly("opened run-1", "dispatched run-1: 3");
  }

  private List<Message> receive(String url, int count) {
    List<Message> got = new ArrayList<>();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (got.size() < count && System.nanoTime() < until) {
      got.addAll(
          sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1))
              .join()
              .messages());
    }
    assertThat(got).as("messages on the jobs queue").hasSize(count);
    return got;
  }
}
