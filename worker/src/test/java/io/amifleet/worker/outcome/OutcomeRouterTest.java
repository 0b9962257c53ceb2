package io.amifleet.worker.outcome;

import static io.amifleet.worker.testing.FakeJobQueue.CHANGE_VISIBILITY;
import static io.amifleet.worker.testing.FakeJobQueue.MOVE_TO_DEAD_LETTER;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.ErrorCodes;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.json.Json;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.JobStatus;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.message.PruneMessage;
import io.amifleet.common.message.PruneSummary;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.testing.MutableClock;
import io.amifleet.worker.poll.ReceivedJob;
import io.amifleet.worker.testing.AwsFailures;
import io.amifleet.worker.testing.FakeJobQueue;
import io.amifleet.worker.testing.FakeResultSink;
import io.amifleet.worker.testing.Journal;
import io.amifleet.worker.testing.RecordingEvents;
import io.amifleet.worker.testing.TestJobs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OutcomeRouterTest {
  private static final Instant NOW = Instant.parse("2026-11-28T02:10:00Z");
  private static final Duration BASE = Duration.ofSeconds(10);

  private final Journal journal = new Journal();
  private final FakeJobQueue queue = new FakeJobQueue(journal);
  private final FakeResultSink sink = new FakeResultSink(journal);
  private final RecordingEvents events = new RecordingEvents();
  private final MutableClock clock = new MutableClock(NOW);
  private final FailurePolicy policy =
      new FailurePolicy(new RetryBackoff(BASE, Duration.ofMinutes(15)), clock);
  private final OutcomeRouter router = new OutcomeRouter(queue, sink, policy, events, clock);

  private final MessageCodec codec = new MessageCodec(Json.newMapper());
  private final JobMessage job = TestJobs.job();

  private ReceivedJob message(int receiveCount) {
    return TestJobs.received(codec, job, receiveCount);
  }

  private ResultMessage succeeded() {
    return job.result()
        .imageId("ami-1")
        .snapshotIds(List.of("snap-1"))
        .adopted(false)
        .attempt(1)
        .startedAt(NOW.minusSeconds(60))
        .succeeded(NOW);
  }

  private ResultMessage failed(String errorCode, String errorMessage) {
    return job.result()
        .imageId("ami-1")
        .attempt(2)
        .startedAt(NOW.minusSeconds(60))
        .unsuccessful(JobStatus.FAILED, errorCode, errorMessage, NOW);
  }

  private void route(ReceivedJob message, JobMessage job, JobOutcome outcome) throws Exception {
    assertThat(router.route(message, job, outcome).get(5, SECONDS)).isNull();
  }

  private static AmiFleetException imageFailed() {
    return new AmiFleetException(
        ErrorKind.PERMANENT, ErrorCodes.IMAGE_FAILED, "image ami-1 is failed: boom");
  }

  @Test
  void succeededJobIsPublishedThenDeleted() throws Exception {
    ResultMessage result = succeeded();

    route(message(1), job, new JobOutcome.Succeeded(result));

    assertThat(journal.entries()).containsExactly("publish", "delete");
    assertThat(sink.published()).containsExactly(result);
    assertThat(queue.calls().get(0).job()).isEqualTo(message(1));
    assertThat(events.entries()).containsExactly("finished " + job.jobId() + " SUCCEEDED");
  }

  @Test
  void unsuccessfulJobIsPublishedThenMovedToTheDeadLetterQueueWithItsReason() throws Exception {
    ResultMessage result = failed(ErrorCodes.IMAGE_FAILED, "image ami-1 is failed: boom");

    route(message(2), job, new JobOutcome.Unsuccessful(result, imageFailed()));

    assertThat(journal.entries()).containsExactly("publish", MOVE_TO_DEAD_LETTER);
    assertThat(sink.published()).containsExactly(result);
    assertThat(queue.calls(MOVE_TO_DEAD_LETTER).get(0).attributes())
        .isEqualTo(
            Map.of(
                "amifleet-error-code",
                ErrorCodes.IMAGE_FAILED,
                "amifleet-error-message",
                "image ami-1 is failed: boom",
                "amifleet-failed-at",
                NOW.toString(),
                "amifleet-receive-count",
                "2",
                "amifleet-job-id",
                job.jobId(),
                "amifleet-account-id",
                job.accountId()));
    assertThat(events.entries())
        .containsExactly("finished " + job.jobId() + " FAILED", "dlq " + ErrorCodes.IMAGE_FAILED);
  }

  @Test
  void retryOnlyChangesVisibilityByThePoliciesDelay() throws Exception {
    AmiFleetException throttled = AwsFailures.throttled();

    route(message(3), job, new JobOutcome.Retry(throttled, Duration.ofSeconds(33)));

    assertThat(journal.entries()).containsExactly(CHANGE_VISIBILITY);
    assertThat(queue.calls().get(0).visibility()).isEqualTo(Duration.ofSeconds(33));
    assertThat(events.entries())
        .containsExactly("retrying " + job.jobId() + " RequestLimitExceeded");
    assertThat(events.retryDelays()).containsExactly(Duration.ofSeconds(33));
  }

  @Test
  void listenersHearOfAFinishedJobOnlyOnceItsMessageIsDeleted() throws Exception {
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    OutcomeRouter watched =
        new OutcomeRouter(
            queue,
            sink,
            policy,
            new WorkerEvents() {
              @Override
              public void jobFinished(ResultMessage result) {
                seen.add("finished after " + journal.entries());
              }
            },
            clock);

    assertThat(
            watched.route(message(1), job, new JobOutcome.Succeeded(succeeded())).get(5, SECONDS))
        .isNull();

    assertThat(seen).containsExactly("finished after [publish, delete]");
  }

  @Test
  void aThrowingListenerChangesNothingOfWhatHappensToTheMessage() throws Exception {
    OutcomeRouter watched =
        new OutcomeRouter(
            queue,
            sink,
            policy,
            new WorkerEvents() {
              @Override
              public void jobFinished(ResultMessage result) {
                throw new IllegalStateException("listener bug");
              }

              @Override
              public void movedToDeadLetter(String errorCode, String reason) {
                throw new IllegalStateException("listener bug");
              }
            },
            clock);

    assertThat(
            watched.route(message(1), job, new JobOutcome.Succeeded(succeeded())).get(5, SECONDS))
        .isNull();
    assertThat(
            watched
                .route(
                    message(2),
                    job,
                    new JobOutcome.Unsuccessful(
                        failed(ErrorCodes.IMAGE_FAILED, "boom"), imageFailed()))
                .get(5, SECONDS))
        .isNull();

    assertThat(journal.entries())
        .containsExactly("publish", "delete", "publish", MOVE_TO_DEAD_LETTER)
        .doesNotContain(CHANGE_VISIBILITY);
  }

  @Test
  void poisonWithoutAJobIsOnlyMovedToTheDeadLetterQueue() throws Exception {
    AmiFleetException notJson =
        new AmiFleetException(ErrorKind.POISON, ErrorCodes.INVALID_MESSAGE, "not JSON: x");
    ReceivedJob garbage = TestJobs.received("x", 1);

    route(garbage, null, new JobOutcome.Poison(notJson, Optional.empty()));

    assertThat(journal.entries()).containsExactly(MOVE_TO_DEAD_LETTER);
    assertThat(queue.calls().get(0).attributes())
        .containsEntry("amifleet-error-code", ErrorCodes.INVALID_MESSAGE)
        .containsEntry("amifleet-error-message", "not JSON: x")
        .containsEntry("amifleet-receive-count", "1")
        .doesNotContainKeys("amifleet-job-id", "amifleet-account-id");
    assertThat(events.entries()).containsExactly("dlq " + ErrorCodes.INVALID_MESSAGE);
  }

  @Test
  void poisonWithAResultIsPublishedThenMovedToTheDeadLetterQueue() throws Exception {
    AmiFleetException notAllowed =
        new AmiFleetException(ErrorKind.POISON, ErrorCodes.ACCOUNT_NOT_ALLOWED, "not allowed");
    ResultMessage result = failed(ErrorCodes.ACCOUNT_NOT_ALLOWED, "not allowed");

    route(message(1), job, new JobOutcome.Poison(notAllowed, Optional.of(result)));

    assertThat(journal.entries()).containsExactly("publish", MOVE_TO_DEAD_LETTER);
    assertThat(sink.published()).containsExactly(result);
    assertThat(queue.calls().get(0).attributes())
        .containsEntry("amifleet-error-code", ErrorCodes.ACCOUNT_NOT_ALLOWED)
        .containsEntry("amifleet-job-id", job.jobId());
    assertThat(events.entries())
        .containsExactly(
            "finished " + job.jobId() + " FAILED", "dlq " + ErrorCodes.ACCOUNT_NOT_ALLOWED);
  }

  @Test
  void releaseMakesTheMessageVisibleAtOnce() throws Exception {
    route(message(1), job, new JobOutcome.Release());

    assertThat(journal.entries()).containsExactly(CHANGE_VISIBILITY);
    assertThat(queue.calls().get(0).visibility()).isEqualTo(Duration.ZERO);
    assertThat(sink.published()).isEmpty();
    assertThat(events.entries()).isEmpty();
  }

  @Test
  void succeededJobWhoseResultIsRefusedIsNotDeletedButComesBack() throws Exception {
    sink.fail(AwsFailures.translated("ServiceUnavailable", 503, "SendMessageBatch"));

    route(message(1), job, new JobOutcome.Succeeded(succeeded()));

    assertThat(journal.entries()).containsExactly("publish failed", CHANGE_VISIBILITY);
    assertThat(queue.calls().get(0).visibility()).isBetween(BASE.dividedBy(2), BASE);
    assertThat(events.entries()).isEmpty();
  }

  @Test
  void unsuccessfulJobWhoseResultIsRefusedIsNotMovedButComesBack() throws Exception {
    sink.fail(AwsFailures.translated("ServiceUnavailable", 503, "SendMessageBatch"));

    route(
        message(1),
        job,
        new JobOutcome.Unsuccessful(failed(ErrorCodes.IMAGE_FAILED, "boom"), imageFailed()));

    assertThat(journal.entries()).containsExactly("publish failed", CHANGE_VISIBILITY);
    assertThat(queue.calls(MOVE_TO_DEAD_LETTER)).isEmpty();
    assertThat(events.entries()).isEmpty();
  }

  @Test
  void refusedDeadLetterMoveCompletesNormallyAndDeletesNothing() throws Exception {
    queue.fail(MOVE_TO_DEAD_LETTER, AwsFailures.translated("AccessDenied", 403, "SendMessage"));

    route(
        message(2),
        job,
        new JobOutcome.Unsuccessful(failed(ErrorCodes.IMAGE_FAILED, "boom"), imageFailed()));

    assertThat(journal.entries()).containsExactly("publish", MOVE_TO_DEAD_LETTER + " failed");
    // The message was not dealt with: it comes back, and the job finishes on a later attempt.
    assertThat(events.entries()).isEmpty();
  }

  @Test
  void refusedDeadLetterMoveOfPoisonCompletesNormally() throws Exception {
    queue.fail(MOVE_TO_DEAD_LETTER, new IllegalStateException("queue gone"));
    AmiFleetException notJson =
        new AmiFleetException(ErrorKind.POISON, ErrorCodes.INVALID_MESSAGE, "not JSON: x");

    route(TestJobs.received("x", 1), null, new JobOutcome.Poison(notJson, Optional.empty()));

    assertThat(journal.entries()).containsExactly(MOVE_TO_DEAD_LETTER + " failed");
    assertThat(events.entries()).isEmpty();
  }

  @Test
  void refusedVisibilityChangeCompletesNormally() throws Exception {
    queue.fail(CHANGE_VISIBILITY, new IllegalStateException("receipt handle expired"));

    route(message(1), job, new JobOutcome.Retry(AwsFailures.throttled(), Duration.ofSeconds(10)));
    route(message(1), job, new JobOutcome.Release());

    assertThat(journal.entries())
        .containsExactly(CHANGE_VISIBILITY + " failed", CHANGE_VISIBILITY + " failed");
  }

  @Test
  void poisonWhoseResultIsRefusedIsNotReportedAsMovedToTheDeadLetterQueue() throws Exception {
    sink.fail(AwsFailures.translated("ServiceUnavailable", 503, "SendMessageBatch"));
    AmiFleetException notAllowed =
        new AmiFleetException(ErrorKind.POISON, ErrorCodes.ACCOUNT_NOT_ALLOWED, "not allowed");
    ResultMessage result = failed(ErrorCodes.ACCOUNT_NOT_ALLOWED, "not allowed");

    route(message(1), job, new JobOutcome.Poison(notAllowed, Optional.of(result)));

    // The message was not moved: it was left to reappear after a backoff.
    assertThat(journal.entries()).containsExactly("publish failed", CHANGE_VISIBILITY);
    assertThat(events.entries()).doesNotContain("dlq " + ErrorCodes.ACCOUNT_NOT_ALLOWED);
  }

  @Test
  void aFinishedImageJobIsLoggedWithItsImageAndHowLongItTook() {
    assertThat(OutcomeRouter.done(succeeded()))
        .isEqualTo("SUCCEEDED in 1m00s: ami-1 (" + job.imageName() + ")");
  }

  @Test
  void aFinishedRetentionJobIsLoggedWithWhatItDeletedNotAnImage() {
    PruneMessage prune = TestJobs.prune(3);
    ResultMessage r =
        prune
            .result()
            .prune(new PruneSummary(List.of("ami-1", "ami-2"), List.of("snap-1"), List.of(), 3))
            .attempt(1)
            .startedAt(NOW.minusSeconds(2))
            .succeeded(NOW);

    assertThat(OutcomeRouter.done(r))
        .isEqualTo(
            "SUCCEEDED in 2.0s: retention applied, 2 image(s) and 1 snapshot(s) deleted,"
                + " 3 image(s) kept")
        .doesNotContain("null")
        .doesNotContain("PT");
  }
}
