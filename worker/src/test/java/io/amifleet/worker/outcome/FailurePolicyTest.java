package io.amifleet.worker.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.ErrorCodes;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.json.Json;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.JobStatus;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.testing.MutableClock;
import io.amifleet.worker.image.ImageException;
import io.amifleet.worker.job.JobContext;
import io.amifleet.worker.job.WorkerStopping;
import io.amifleet.worker.testing.AwsFailures;
import io.amifleet.worker.testing.TestJobs;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class FailurePolicyTest {
  private static final Instant NOW = Instant.parse("2026-11-28T02:10:00Z");
  private static final int MAX_RECEIVES = 5;

  private final MutableClock clock = new MutableClock(NOW);
  private final FailurePolicy policy =
      new FailurePolicy(new RetryBackoff(Duration.ofSeconds(10), Duration.ofMinutes(15)), clock);
  private final MessageCodec codec = new MessageCodec(Json.newMapper());
  private final JobMessage job = TestJobs.job();

  private JobContext job(int receiveCount) {
    return new JobContext(
        TestJobs.received(codec, job, receiveCount), job, NOW.minus(Duration.ofMinutes(3)));
  }

  private static AmiFleetException error(ErrorKind kind) {
    return new AmiFleetException(kind, "SomeCode", "went wrong");
  }

  @Test
  void everyKindOfErrorHasItsDecision() {
    // A kind added to ErrorKind does not compile in the policy until it has a decision; here it
    // fails too, for want of a row.
    Map<ErrorKind, Class<? extends JobOutcome>> decisions =
        Map.of(
            ErrorKind.RETRYABLE, JobOutcome.Retry.class,
            ErrorKind.PERMANENT, JobOutcome.Unsuccessful.class,
            ErrorKind.POISON, JobOutcome.Poison.class);
    for (ErrorKind kind : ErrorKind.values()) {
      assertThat(decisions).as("a decision for %s", kind).containsKey(kind);
      assertThat(policy.decide(job(1), error(kind), MAX_RECEIVES))
          .as("the decision for %s", kind)
          .isInstanceOf(decisions.get(kind));
    }
  }

  @Test
  void aJobWhoseStepsAllSucceededSucceedsWithWhatTheyRecorded() {
    JobContext context = job(2);
    context.record(r -> r.imageId("ami-1").adopted(true).snapshotIds(java.util.List.of("snap-1")));

    JobOutcome outcome = policy.decide(context, null, MAX_RECEIVES);

    assertThat(outcome).isInstanceOf(JobOutcome.Succeeded.class);
    ResultMessage result = ((JobOutcome.Succeeded) outcome).result();
    assertThat(result.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(result.imageId()).isEqualTo("ami-1");
    assertThat(result.adopted()).isTrue();
    assertThat(result.snapshotIds()).containsExactly("snap-1");
    assertThat(result.attempt()).isEqualTo(2);
    assertThat(result.finishedAt()).isEqualTo(NOW);
  }

  @Test
  void aReleasedJobIsReleasedWhateverWrapsTheSignal() {
    assertThat(policy.decide(job(1), new WorkerStopping(), MAX_RECEIVES))
        .isInstanceOf(JobOutcome.Release.class);
    assertThat(policy.decide(job(1), new CompletionException(new WorkerStopping()), MAX_RECEIVES))
        .isInstanceOf(JobOutcome.Release.class);
  }

  @Test
  void aRetryableErrorIsRetriedAfterABackoffThatGrowsWithTheReceiveCount() {
    JobOutcome outcome = policy.decide(job(3), AwsFailures.throttled(), MAX_RECEIVES);

    assertThat(outcome).isInstanceOf(JobOutcome.Retry.class);
    // third receive: 10 s * 4 = 40 s, half fixed and half jitter
    assertThat(((JobOutcome.Retry) outcome).delay())
        .isBetween(Duration.ofSeconds(20), Duration.ofSeconds(40));
  }

  @Test
  void aRetryableErrorOnTheLastReceiveGivesUpWithAFailedResult() {
    JobOutcome outcome = policy.decide(job(MAX_RECEIVES), AwsFailures.throttled(), MAX_RECEIVES);

    assertThat(outcome).isInstanceOf(JobOutcome.Unsuccessful.class);
    JobOutcome.Unsuccessful u = (JobOutcome.Unsuccessful) outcome;
    assertThat(u.result().status()).isEqualTo(JobStatus.FAILED);
    assertThat(u.result().errorMessage())
        .startsWith("gave up after 5 attempts (maxReceiveCount 5): ");
    assertThat(u.error().kind()).isEqualTo(ErrorKind.PERMANENT);
    assertThat(u.error().errorCode()).isEqualTo("RequestLimitExceeded");
  }

  @Test
  void theStatusOfAnUnsuccessfulJobIsTheErrorsNotReadFromItsCode() {
    JobContext context = job(1);
    context.record(r -> r.imageId("ami-1").adopted(false));

    JobOutcome timedOut =
        policy.decide(context, ImageException.timedOut("ami-1", "still pending"), MAX_RECEIVES);
    JobOutcome failed =
        policy.decide(context, ImageException.failed("ami-1", "is failed"), MAX_RECEIVES);

    ResultMessage late = ((JobOutcome.Unsuccessful) timedOut).result();
    assertThat(late.status()).isEqualTo(JobStatus.TIMED_OUT);
    assertThat(late.errorCode()).isEqualTo(ErrorCodes.IMAGE_TIMED_OUT);
    assertThat(late.imageId()).isEqualTo("ami-1");
    assertThat(late.adopted()).isFalse();
    assertThat(((JobOutcome.Unsuccessful) failed).result().status()).isEqualTo(JobStatus.FAILED);
  }

  @Test
  void poisonIsMovedWithAFailedResultOfTheJob() {
    JobOutcome outcome = policy.decide(job(1), error(ErrorKind.POISON), MAX_RECEIVES);

    JobOutcome.Poison p = (JobOutcome.Poison) outcome;
    assertThat(p.result())
        .hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(JobStatus.FAILED));
    assertThat(p.result().get().jobId()).isEqualTo(job.jobId());
  }

  @Test
  void aMessageThatIsNoJobIsPoisonWithoutAResult() {
    JobOutcome outcome = policy.unreadable(error(ErrorKind.POISON));

    assertThat(((JobOutcome.Poison) outcome).result()).isEmpty();
  }

  @Test
  void anUnexpectedExceptionIsAnInternalErrorTriedAgain() {
    JobOutcome outcome = policy.decide(job(1), new IllegalStateException("a bug"), MAX_RECEIVES);

    assertThat(outcome).isInstanceOf(JobOutcome.Retry.class);
    assertThat(((JobOutcome.Retry) outcome).error().errorCode())
        .isEqualTo(ErrorCodes.INTERNAL_ERROR);
  }
}
