package io.amifleet.worker.outcome;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.message.ResultMessage;
import java.time.Duration;
import java.util.Optional;

/**
 * What becomes of a job on this attempt, as the {@link FailurePolicy} decided. {@link
 * OutcomeRouter} turns each into exactly one of: delete, visibility change, DLQ move.
 */
public sealed interface JobOutcome {
  /** The image is available: publish the result, delete the message. */
  record Succeeded(ResultMessage result) implements JobOutcome {
    public Succeeded {
      requireNonNull(result, "result is null");
    }
  }

  /**
   * FAILED or TIMED_OUT for good (permanent error, image failed, waited too long, retries used up):
   * publish the result, move the message to the DLQ with the error.
   */
  record Unsuccessful(ResultMessage result, AmiFleetException error) implements JobOutcome {
    public Unsuccessful {
      requireNonNull(result, "result is null");
      requireNonNull(error, "error is null");
    }
  }

  /** Might work later: leave the message to reappear after {@code delay}. */
  record Retry(AmiFleetException error, Duration delay) implements JobOutcome {
    public Retry {
      requireNonNull(error, "error is null");
      requireNonNull(delay, "delay is null");
    }
  }

  /**
   * The message is unusable or not allowed here: move it to the DLQ with the reason; publish a
   * FAILED result too when the job could be read.
   */
  record Poison(AmiFleetException error, Optional<ResultMessage> result) implements JobOutcome {
    public Poison {
      requireNonNull(error, "error is null");
      requireNonNull(result, "result is null");
    }
  }

  /** The worker is stopping: make the message visible again at once for another worker. */
  record Release() implements JobOutcome {}
}
