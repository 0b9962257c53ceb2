package io.amifleet.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.JobStatus;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import io.amifleet.emulator.realistic.RealismSettings;
import io.amifleet.testing.fault.ErrorInjector;
import io.amifleet.worker.dlq.DeadLetter;
import io.amifleet.worker.dlq.DeadLetters;
import io.amifleet.worker.outcome.DeadLetterAttributes;
import io.amifleet.worker.testing.WorkerHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Failure semantics against moto behind the realistic EC2 layer: retries, the DLQ and its replay,
 * throttling, shutdown. 5xx errors are still injected in the client (the layer does not make them).
 */
class FailureIT {
  private static final String A = "111111111111";
  private static final String B = "222222222222";
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Set<String> EC2_CALLS =
      Set.of("CreateImage", "DescribeImages", "CreateTags", "DescribeInstances");

  private final RealisticEmulator emulator = SharedEmulator.get();
  private final List<WorkerHarness> harnesses = new ArrayList<>();
  private EmulatedAws aws;
  private Seeder seeder;

  @BeforeEach
  void setUp() {
    emulator.reset();
    aws = new EmulatedAws(emulator.endpoint(), WorkerHarness.REGION);
    seeder = new Seeder(aws);
  }

  @AfterEach
  void tearDown() {
    harnesses.forEach(WorkerHarness::close);
    aws.close();
  }

  private WorkerHarness worker(
      String prefix, WorkerSettings settings, ExecutionInterceptor... interceptors) {
    WorkerHarness h =
        prefix == null
            ? new WorkerHarness(emulator, settings, List.of(interceptors))
            : new WorkerHarness(
                emulator.endpoint(), Optional.empty(), prefix, settings, List.of(interceptors), 1);
    harnesses.add(h);
    return h.start();
  }

  /** The layer's test settings, changed for one test (reset() restores them). */
  private void ec2(UnaryOperator<RealismSettings.Builder> change) {
    emulator.layer().use(change.apply(SharedEmulator.testSettings().toBuilder()).build());
  }

  private static WorkerSettings fast() {
    return WorkerSettings.defaults()
        .withPollInterval(Duration.ofMillis(500))
        .withRetryDelays(Duration.ZERO, Duration.ZERO)
        .withReceiveWait(Duration.ofSeconds(1));
  }

  private List<JobMessage> jobs(String runId, String account, int n) {
    return seeder.runInstances(account, WorkerHarness.REGION, n, Map.of()).stream()
        .map(i -> WorkerHarness.job(runId, account, i))
        .toList();
  }

  @Test
  void throttlingBySmallBucketsSlowsJobsDownButFailsNone() {
    // Buckets far smaller than EC2's, and amifleet's own CreateImage limit lifted, so that EC2's
    // refusals reach the SDK and its retries absorb them.
    ec2(
        b ->
            b.bucket("CreateImage", new RealismSettings.Bucket(5, 4))
                .bucket("DescribeImages", new RealismSettings.Bucket(3, 2))
                .bucket("DescribeInstances", new RealismSettings.Bucket(3, 2)));
    WorkerHarness w = worker(null, fast().withMutationLimit(1000, 1000));
    w.send(jobs("t1", A, 40));

    List<ResultMessage> results = w.results("t1", 40, WAIT);

    assertThat(results).hasSize(40).allMatch(ResultMessage::succeeded);
    assertThat(emulator.layer().stats().throttled("EC2.CreateImage")).isGreaterThan(5);
    assertThat(seeder.ownedImages(A, WorkerHarness.REGION)).hasSize(40);
    // The SDK retried inside the calls, and saw real 503 RequestLimitExceeded answers.
    var createImage = w.stats().snapshot().get("EC2.CreateImage");
    assertThat(createImage.attempts()).isGreaterThan(createImage.calls());
    assertThat(createImage.throttled()).isPositive();
  }

  @Test
  void serverErrorsAreRetriedAndEveryJobSucceedsOnce() {
    Set<String> idempotent = new HashSet<>(EC2_CALLS);
    idempotent.remove("CreateImage");
    ErrorInjector errors = ErrorInjector.serverErrors(idempotent, 0.3, 11);
    // A 5xx CreateImage may have made its image, so it goes back to the job (one receive each),
    // whose next attempt looks the image up first: rarer here, as each costs a receive.
    ErrorInjector createErrors = ErrorInjector.serverErrors(Set.of("CreateImage"), 0.1, 13);
    WorkerHarness w = worker(null, fast(), errors, createErrors);
    w.send(jobs("t2", A, 30));

    assertThat(w.results("t2", 30, WAIT)).hasSize(30).allMatch(ResultMessage::succeeded);
    assertThat(errors.injected()).isPositive();
    assertThat(w.events().count("retrying")).isGreaterThanOrEqualTo(createErrors.injected());
    assertThat(seeder.ownedImages(A, WorkerHarness.REGION)).hasSize(30);
  }

  @Test
  void aRetryableErrorThatNeverClearsEndsFailedAfterMaxReceiveCountWithTheReasonInTheDlq() {
    WorkerHarness w =
        worker(null, fast(), ErrorInjector.always(Set.of("CreateImage"), "InternalError", 500));
    w.send(jobs("t3", A, 1));

    ResultMessage r = w.results("t3", 1, WAIT).get(0);

    assertThat(r.status()).isEqualTo(JobStatus.FAILED);
    assertThat(r.errorCode()).isEqualTo("InternalError");
    assertThat(r.errorMessage()).startsWith("gave up after 5 attempts (maxReceiveCount 5)");
    assertThat(r.attempt()).isEqualTo(5);
    assertThat(w.events().count("retrying")).isEqualTo(4);
    List<Message> dlq = w.deadLetters();
    assertThat(dlq)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.messageAttributes().get(DeadLetterAttributes.ERROR_CODE).stringValue())
                  .isEqualTo("InternalError");
              assertThat(
                      m.messageAttributes().get(DeadLetterAttributes.RECEIVE_COUNT).stringValue())
                  .isEqualTo("5");
            });
  }

  @Test
  void replayingTheDlqAfterAllowingTheAccountMakesTheImageOnce() {
    WorkerHarness strict = worker(null, fast().withAllowedAccounts(Set.of(A)));
    List<JobMessage> forB = jobs("t4", B, 2);
    List<JobMessage> forA = jobs("t4", A, 1);
    strict.send(forB);
    strict.send(forA);
    assertThat(strict.results("t4", 3, WAIT))
        .filteredOn(r -> r.accountId().equals(B))
        .hasSize(2)
        .allMatch(r -> r.errorCode().equals("AccountNotAllowed"));
    strict.close();
    harnesses.remove(strict);

    WorkerHarness fixed = worker(strict.prefix(), fast().withAllowedAccounts(Set.of(A, B)));
    DeadLetters dlq = fixed.get(DeadLetters.class);
    assertThat(dlq.list(10)).hasSize(2).allMatch(d -> d.errorCode().equals("AccountNotAllowed"));
    assertThat(dlq.replay(d -> true, 100, true, false).matched()).as("dry run").hasSize(2);
    assertThat(dlq.list(10)).as("still there after the dry run").hasSize(2);

    DeadLetters.ReplayReport report =
        dlq.replay(d -> d.accountId().equals(Optional.of(B)), 100, false, false);

    assertThat(report.moved()).isEqualTo(2);
    assertThat(report.failures()).isEmpty();
    System.err.println(
        "MATCHED "
            + report.matched().stream()
                .map(d -> d.messageId() + "/" + d.job().map(j -> j.jobId()).orElse("?"))
                .toList());
    List<ResultMessage> after = fixed.results("t4", 2, WAIT);
    assertThat(after).hasSize(2).allMatch(ResultMessage::succeeded);
    assertThat(seeder.ownedImages(B, WorkerHarness.REGION)).hasSize(2);
    assertThat(dlq.list(10)).isEmpty();
  }

  @Test
  void replayingATimedOutJobAdoptsTheImageItMadeInsteadOfMakingAnother() {
    ec2(b -> b.pending(Duration.ofSeconds(6), Duration.ofSeconds(6)).timeScale(1));
    WorkerHarness impatient = worker(null, fast().withMaxWait(Duration.ofSeconds(1)));
    impatient.send(jobs("t5", A, 1));
    ResultMessage timedOut = impatient.results("t5", 1, WAIT).get(0);
    assertThat(timedOut.status()).isEqualTo(JobStatus.TIMED_OUT);
    DeadLetters dlq = impatient.get(DeadLetters.class);
    List<DeadLetter> letters = dlq.list(10);
    assertThat(letters)
        .singleElement()
        .satisfies(d -> assertThat(d.errorCode()).isEqualTo("ImageTimedOut"));

    impatient.close();
    harnesses.remove(impatient);
    WorkerHarness patient = worker(impatient.prefix(), fast());
    dlq = patient.get(DeadLetters.class);
    DeadLetters.ReplayReport replayed =
        dlq.replay(d -> d.errorCode().equals("ImageTimedOut"), 10, false, false);
    assertThat(replayed.moved()).as("replayed: %s", replayed).isEqualTo(1);

    ResultMessage done = patient.results("t5", 1, WAIT).get(0);
    assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(done.imageId()).isEqualTo(timedOut.imageId());
    assertThat(seeder.ownedImages(A, WorkerHarness.REGION)).hasSize(1);
    assertThat(patient.events().count("adopted")).isEqualTo(1);
  }

  @Test
  void anIdleWorkerStoppingHidesNoJobSentWhileItStops() throws Exception {
    // An idle worker always has a long poll pending. A job that arrives as it stops (a DLQ replay
    // during a scale-in) is handed to that poll by SQS: cancelled, the poll would hide the job from
    // every other worker for the whole visibility timeout (5 min here); let finish, it gives the
    // job back at once.
    WorkerHarness stopping = worker(null, fast().withReceiveWait(Duration.ofSeconds(5)));
    Thread.sleep(1_500);
    Thread stopper = new Thread(() -> stopping.worker().shutdown(), "test-stopper");
    long start = System.nanoTime();
    stopper.start();
    Thread.sleep(300);
    stopping.send(jobs("t7", A, 1));
    stopper.join(Duration.ofSeconds(30).toMillis());
    assertThat(stopper.isAlive()).as("the idle worker stopped").isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("an idle stop waits at most for its pending poll")
        .isLessThan(Duration.ofSeconds(5 + 2 + 3));
    assertThat(stopping.events().count("created")).as("the stopping worker began nothing").isZero();

    WorkerHarness next = worker(stopping.prefix(), fast());
    List<ResultMessage> results = next.results("t7", 1, Duration.ofSeconds(30));
    assertThat(results)
        .as("the job is taken by the next worker well within the visibility timeout")
        .singleElement()
        .satisfies(r -> assertThat(r.succeeded()).isTrue());
    assertThat(seeder.ownedImages(A, WorkerHarness.REGION)).hasSize(1);
  }

  @Test
  void shutdownReleasesHeldJobsAndAnotherWorkerFinishesThemWithoutDuplicates() throws Exception {
    // The second worker looks for the images within seconds of their creation, while
    // DescribeImages may not show them yet: it must adopt them all the same, never make a second.
    ec2(b -> b.pending(Duration.ofSeconds(8), Duration.ofSeconds(8)).timeScale(1));
    WorkerHarness first = worker(null, fast().withShutdownTimeout(Duration.ofMillis(500)));
    List<JobMessage> jobs = jobs("t6", A, 20);
    first.send(jobs);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (first.events().count("created") < 20 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(first.events().count("created")).isEqualTo(20);

    long start = System.nanoTime();
    first.worker().shutdown();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(first.events().count("finished")).isZero();

    WorkerHarness second = worker(first.prefix(), fast());
    List<ResultMessage> results = second.results("t6", 20, WAIT);
    assertThat(results).hasSize(20).allMatch(ResultMessage::succeeded);
    assertThat(second.events().count("adopted")).isEqualTo(20);
    assertThat(seeder.ownedImages(A, WorkerHarness.REGION)).hasSize(20);
  }
}
