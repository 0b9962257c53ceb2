package io.amifleet.worker.outcome;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.worker.job.JobContext;
import io.amifleet.worker.job.WorkerStopping;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The one place that decides what becomes of a job that ended, from how it ended and its receive
 * count ("Failure semantics" in the README):
 *
 * <table>
 *   <caption>decisions</caption>
 *   <tr><th>the job ended</th><th>outcome</th></tr>
 *   <tr><td>every step succeeded</td><td>Succeeded: result, delete</td></tr>
 *   <tr><td>released (the worker stops)</td><td>Release: visible again at once</td></tr>
 *   <tr><td>retryable error, receives left</td><td>Retry after the backoff</td></tr>
 *   <tr><td>retryable error, last receive</td><td>Unsuccessful (FAILED, "gave up"): result,
 *       DLQ</td></tr>
 *   <tr><td>permanent error</td><td>Unsuccessful, status from the error (FAILED or
 *       TIMED_OUT): result, DLQ</td></tr>
 *   <tr><td>poison</td><td>Poison: DLQ with the reason, and a result when the job could be
 *       read</td></tr>
 * </table>
 *
 * <p>Every {@link ErrorKind} has its row in an exhaustive {@code switch}: a new kind does not
 * compile until it has a decision, so nothing unmatched silently becomes a retry. The backoff of a
 * retry is decided here too. Errors that are not amifleet's are translated first ({@link
 * AwsErrors#translate}). Stateless; thread-safe.
 */
public final class FailurePolicy {
  private final RetryBackoff backoff;
  private final Clock clock;

  @Inject
  public FailurePolicy(RetryBackoff backoff, Clock clock) {
    this.backoff = requireNonNull(backoff, "backoff is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** A message that could not be read as a job: poison, with no result to publish. */
  public JobOutcome unreadable(AmiFleetException error) {
    return new JobOutcome.Poison(error, Optional.empty());
  }

  /**
   * What becomes of {@code job}, which ended with {@code error} ({@code null}: every step
   * succeeded), on a queue that moves a message to the DLQ after {@code maxReceiveCount} receives.
   */
  public JobOutcome decide(JobContext job, Throwable error, int maxReceiveCount) {
    ResultMessage.Builder result = job.result();
    Instant now = clock.instant();
    if (error == null) {
      return new JobOutcome.Succeeded(result.succeeded(now));
    }
    Throwable cause = AwsErrors.unwrap(error);
    if (cause instanceof WorkerStopping) {
      return new JobOutcome.Release();
    }
    AmiFleetException e = AwsErrors.translate(cause, "job " + job.work().jobId());
    int attempt = job.attempt();
    return switch (e.kind()) {
      case RETRYABLE -> {
        if (attempt < maxReceiveCount) {
          yield new JobOutcome.Retry(e, backoff.delay(attempt));
        }
        // SQS would move the message after this receive without a word; give up here instead,
        // with a result that says why.
        String gaveUp =
            "gave up after "
                + attempt
                + " attempts (maxReceiveCount "
                + maxReceiveCount
                + "): "
                + e.getMessage();
        yield new JobOutcome.Unsuccessful(
            result.unsuccessful(e.status(), e.errorCode(), gaveUp, now),
            new AmiFleetException(ErrorKind.PERMANENT, e.errorCode(), gaveUp, e));
      }
      case PERMANENT ->
          new JobOutcome.Unsuccessful(
              result.unsuccessful(e.status(), e.errorCode(), e.getMessage(), now), e);
      case POISON ->
          new JobOutcome.Poison(
              e, Optional.of(result.unsuccessful(e.status(), e.errorCode(), e.getMessage(), now)));
    };
  }

  /**
   * How long a message whose outcome could not be carried out (its result was refused) stays away
   * before it is tried again.
   */
  public Duration retryDelay(int receiveCount) {
    return backoff.delay(receiveCount);
  }
}
