package io.amifleet.worker.job;

import static io.amifleet.worker.testing.FakeImageService.Operation.CREATE_IMAGE;
import static io.amifleet.worker.testing.FakeImageService.Operation.READY;
import static io.amifleet.worker.testing.FakeJobQueue.CHANGE_VISIBILITY;
import static io.amifleet.worker.testing.FakeJobQueue.DELETE;
import static io.amifleet.worker.testing.FakeJobQueue.MOVE_TO_DEAD_LETTER;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amifleet.common.error.ErrorCodes;
import io.amifleet.common.json.Json;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.JobStatus;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.message.PruneMessage;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.testing.MutableClock;
import io.amifleet.worker.WorkerSettings;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.image.ImageInfo;
import io.amifleet.worker.image.ImageMaker;
import io.amifleet.worker.image.ImageWaiter;
import io.amifleet.worker.image.NewJobs;
import io.amifleet.worker.outcome.FailurePolicy;
import io.amifleet.worker.outcome.OutcomeRouter;
import io.amifleet.worker.outcome.RetryBackoff;
import io.amifleet.worker.poll.ReceivedJob;
import io.amifleet.worker.prune.Pruner;
import io.amifleet.worker.step.ApplyRetentionStep;
import io.amifleet.worker.step.AwaitAvailableStep;
import io.amifleet.worker.step.EnsureImageStep;
import io.amifleet.worker.step.ResolveRoleStep;
import io.amifleet.worker.testing.AwsFailures;
import io.amifleet.worker.testing.FakeImageService;
import io.amifleet.worker.testing.FakeImageUsage;
import io.amifleet.worker.testing.FakeJobQueue;
import io.amifleet.worker.testing.FakeResultSink;
import io.amifleet.worker.testing.Journal;
import io.amifleet.worker.testing.RecordingEvents;
import io.amifleet.worker.testing.TestImages;
import io.amifleet.worker.testing.TestJobs;
import io.amifleet.worker.visibility.VisibilityHeartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The whole per-job flow over fakes of EC2 and the queues, with the real worker components. */
class JobProcessorTest {
  private static final Instant NOW = Instant.parse("2026-11-28T02:00:00Z");
  private static final Duration MAX_WAIT = Duration.ofHours(1);
  private static final int MAX_RECEIVES = 5;

  private final Journal journal = new Journal();
  private final FakeImageService images = new FakeImageService(journal);
  private final FakeJobQueue queue = new FakeJobQueue(journal);
  private final FakeResultSink sink = new FakeResultSink(journal);
  private final RecordingEvents events = new RecordingEvents();
  private final MutableClock clock = new MutableClock(NOW);
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final MessageCodec codec = new MessageCodec(Json.newMapper());
  private final ImageWaiter waiter =
      new ImageWaiter(images, timer, clock, Duration.ofMillis(20), Duration.ofMillis(1));
  private final VisibilityHeartbeat heartbeat =
      new VisibilityHeartbeat(queue, timer, clock, Duration.ofMinutes(5));

  private final JobMessage job = TestJobs.job();
  private final Ec2Target target = Ec2Target.of(job);

  {
    queue.setMaxReceiveCount(MAX_RECEIVES);
  }

  @AfterEach
  void stop() {
    heartbeat.close();
    timer.shutdownNow();
  }

  private JobProcessor processor(Set<String> allowedAccounts) {
    FailurePolicy policy =
        new FailurePolicy(new RetryBackoff(Duration.ofSeconds(10), Duration.ofMinutes(15)), clock);
    ImageMaker maker =
        new ImageMaker(
            images,
            Executors.newSingleThreadScheduledExecutor(),
            Duration.ofMillis(5),
            Duration.ofMillis(10));
    ResolveRoleStep resolveRole = new ResolveRoleStep(images);
    return new JobProcessor(
        codec,
        new JobValidator(Optional.of(allowedAccounts)),
        List.of(
            JobPipeline.of(
                JobMessage.class,
                resolveRole,
                new EnsureImageStep(maker, NewJobs.NONE, events),
                new AwaitAvailableStep(waiter, WorkerSettings.defaults().withMaxWait(MAX_WAIT))),
            JobPipeline.of(
                PruneMessage.class,
                resolveRole,
                new ApplyRetentionStep(new Pruner(images, new FakeImageUsage(), clock)))),
        policy,
        new OutcomeRouter(queue, sink, policy, events, clock),
        heartbeat,
        queue,
        events,
        clock);
  }

  private final JobProcessor processor = processor(Set.of(TestJobs.ACCOUNT_ID));

  private ReceivedJob delivery(int receiveCount) {
    return TestJobs.received(codec, job, receiveCount);
  }

  private void process(ReceivedJob message) throws Exception {
    assertThat(processor.process(message).get(5, SECONDS)).isNull();
    assertThat(heartbeat.heldCount()).isZero();
  }

  private ResultMessage onlyResult() {
    assertThat(sink.published()).hasSize(1);
    return sink.published().get(0);
  }

  @Test
  void validJobSucceedsWithItsSnapshotsAndIsDeleted() throws Exception {
    process(delivery(1));

    ResultMessage result = onlyResult();
    assertThat(result.status()).isEqualTo(JobStatus.SUCCEEDED);
    ImageInfo image = images.image(target, result.imageId());
    assertThat(image).isNotNull();
    assertThat(image.snapshotIds()).isNotEmpty();
    assertThat(result.snapshotIds()).isEqualTo(image.snapshotIds());
    assertThat(result.imageName()).isEqualTo(job.imageName());
    assertThat(result.jobId()).isEqualTo(job.jobId());
    assertThat(result.attempt()).isEqualTo(1);
    assertThat(result.errorCode()).isNull();
    assertThat(journal.entries()).endsWith("publish", DELETE);
    assertThat(queue.calls()).extracting(FakeJobQueue.Call::operation).containsExactly(DELETE);
  }

  @Test
  void invalidJsonGoesToTheDeadLetterQueueAsInvalidMessage() throws Exception {
    process(TestJobs.received("{not json", 1));

    assertThat(sink.published()).isEmpty();
    assertThat(images.calls()).isEmpty();
    assertThat(queue.calls())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.operation()).isEqualTo(MOVE_TO_DEAD_LETTER);
              assertThat(c.attributes())
                  .containsEntry("amifleet-error-code", ErrorCodes.INVALID_MESSAGE);
            });
  }

  @Test
  void jobCarryingAnotherInstancesJobIdIsPoisonAndNeitherAdoptsNorCreates() throws Exception {
    // Instance A's job made its image; a job for instance B arrives with A's job ID.
    JobMessage jobOfA = job;
    images.put(target, TestImages.of(jobOfA, "ami-0ofa", "available", "t1"));
    JobMessage jobOfB = TestJobs.builder().instanceId("i-0bbbbbbbbbbbbbbb2").build();
    String body = codec.encode(jobOfB).replace(jobOfB.jobId(), jobOfA.jobId());

    process(TestJobs.received(body, 1));

    assertThat(sink.published()).noneMatch(r -> "ami-0ofa".equals(r.imageId()));
    assertThat(images.calls()).isEmpty();
    assertThat(queue.calls())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.operation()).isEqualTo(MOVE_TO_DEAD_LETTER);
              assertThat(c.attributes())
                  .containsEntry("amifleet-error-code", ErrorCodes.INVALID_MESSAGE)
                  .hasEntrySatisfying(
                      "amifleet-error-message",
                      m ->
                          assertThat(m).contains("jobId '" + jobOfA.jobId() + "' does not belong"));
            });
  }

  @Test
  void jobOfAnAccountNotAllowedIsPoisonWithAFailedResult() throws Exception {
    JobMessage elsewhere = TestJobs.builder().account("999999999999").build();

    process(TestJobs.received(codec, elsewhere, 1));

    ResultMessage result = onlyResult();
    assertThat(result.status()).isEqualTo(JobStatus.FAILED);
    assertThat(result.errorCode()).isEqualTo(ErrorCodes.ACCOUNT_NOT_ALLOWED);
    assertThat(result.jobId()).isEqualTo(elsewhere.jobId());
    assertThat(images.calls()).isEmpty();
    assertThat(journal.entries()).containsExactly("publish", MOVE_TO_DEAD_LETTER);
    assertThat(queue.calls().get(0).attributes())
        .containsEntry("amifleet-error-code", ErrorCodes.ACCOUNT_NOT_ALLOWED);
  }

  @Test
  void retryableErrorBeforeTheLastAttemptIsRetriedLater() throws Exception {
    images.fail(CREATE_IMAGE, AwsFailures.throttled());

    process(delivery(2));

    assertThat(sink.published()).isEmpty();
    assertThat(queue.calls())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.operation()).isEqualTo(CHANGE_VISIBILITY);
              // second receive: 20 s with equal jitter
              assertThat(c.visibility()).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(20));
            });
    assertThat(events.entries()).contains("retrying " + job.jobId() + " RequestLimitExceeded");
  }

  @Test
  void retryableErrorOnTheLastAttemptGivesUpWithAFailedResult() throws Exception {
    images.fail(CREATE_IMAGE, AwsFailures.throttled());

    process(delivery(MAX_RECEIVES));

    ResultMessage result = onlyResult();
    assertThat(result.status()).isEqualTo(JobStatus.FAILED);
    assertThat(result.errorCode()).isEqualTo("RequestLimitExceeded");
    assertThat(result.errorMessage())
        .startsWith("gave up after 5 attempts (maxReceiveCount 5): ")
        .contains("RequestLimitExceeded");
    assertThat(result.attempt()).isEqualTo(MAX_RECEIVES);
    assertThat(journal.entries()).endsWith("publish", MOVE_TO_DEAD_LETTER);
    assertThat(queue.calls(CHANGE_VISIBILITY)).isEmpty();
    assertThat(queue.calls(MOVE_TO_DEAD_LETTER).get(0).attributes())
        .containsEntry("amifleet-error-code", "RequestLimitExceeded")
        .containsEntry("amifleet-receive-count", "5");
  }

  @Test
  void accessDeniedFailsAtOnceWithoutRetrying() throws Exception {
    images.fail(READY, AwsFailures.translated("AccessDenied", 403, "AssumeRole"));

    process(delivery(1));

    ResultMessage result = onlyResult();
    assertThat(result.status()).isEqualTo(JobStatus.FAILED);
    assertThat(result.errorCode()).isEqualTo("AccessDenied");
    assertThat(images.count(CREATE_IMAGE)).isZero();
    assertThat(queue.calls(CHANGE_VISIBILITY)).isEmpty();
    assertThat(queue.calls())
        .extracting(FakeJobQueue.Call::operation)
        .containsExactly(MOVE_TO_DEAD_LETTER);
  }

  @Test
  void abortWhileWaitingReleasesTheMessageWithoutAResult() throws Exception {
    images.setCreatedState("pending");
    CompletableFuture<Void> done = processor.process(delivery(1));
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(2))
        .until(() -> waiter.waitingCount() == 1 && waiter.pollCount() >= 1);
    assertThat(done).isNotDone();

    processor.releaseAll();

    assertThat(done.get(5, SECONDS)).isNull();
    assertThat(sink.published()).isEmpty();
    assertThat(queue.calls())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.operation()).isEqualTo(CHANGE_VISIBILITY);
              assertThat(c.visibility()).isEqualTo(Duration.ZERO);
            });
    assertThat(heartbeat.heldCount()).isZero();
  }

  @Test
  void failedImageEndsFailedWithItsImageId() throws Exception {
    images.setCreatedState("failed");

    process(delivery(1));

    ResultMessage result = onlyResult();
    assertThat(result.status()).isEqualTo(JobStatus.FAILED);
    assertThat(result.errorCode()).isEqualTo(ErrorCodes.IMAGE_FAILED);
    assertThat(result.imageId()).isEqualTo(images.createdImageIds().get(0));
    assertThat(journal.entries()).endsWith("publish", MOVE_TO_DEAD_LETTER);
  }

  @Test
  void imageStillPendingAfterMaxWaitEndsTimedOut() throws Exception {
    images.setCreatedState("pending");
    CompletableFuture<Void> done = processor.process(delivery(1));
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(2))
        .until(() -> waiter.pollCount() >= 1);

    clock.advance(MAX_WAIT.plusSeconds(1));

    assertThat(done.get(5, SECONDS)).isNull();
    ResultMessage result = onlyResult();
    assertThat(result.status()).isEqualTo(JobStatus.TIMED_OUT);
    assertThat(result.errorCode()).isEqualTo(ErrorCodes.IMAGE_TIMED_OUT);
    assertThat(result.imageId()).isNotNull();
    assertThat(journal.entries()).endsWith("publish", MOVE_TO_DEAD_LETTER);
  }

  @Test
  void redeliveredJobAdoptsTheImageOfTheFirstDelivery() throws Exception {
    process(delivery(1));
    String first = onlyResult().imageId();

    process(delivery(2));

    assertThat(images.count(CREATE_IMAGE)).isEqualTo(1);
    assertThat(sink.published()).extracting(ResultMessage::imageId).containsExactly(first, first);
    assertThat(events.entries()).contains("adopted " + job.jobId() + " " + first);
  }

  @Test
  void finishedJobsAreNotRetainedByTheProcessor() throws Exception {
    for (int i = 0; i < 100; i++) {
      process(
          TestJobs.received(
              codec, TestJobs.builder().instanceId(String.format("i-%08x", i)).build(), 1));
    }
    assertThat(sink.published()).hasSize(100);

    // releaseAll() needs to reach only jobs in progress; none is.
    assertThat(processor.inProgress()).as("jobs held after they finished").isZero();
  }
}
