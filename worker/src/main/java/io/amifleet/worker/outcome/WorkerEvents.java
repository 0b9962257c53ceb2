package io.amifleet.worker.outcome;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.ResultMessage;
import java.time.Duration;
import java.util.List;

/**
 * What a worker tells observers (progress display, metrics, tests). Called from worker threads;
 * implementations must be thread-safe and quick.
 */
public interface WorkerEvents {
  /** A valid job was received and its work begins. */
  default void jobStarted(JobMessage job, int attempt) {}

  /** The job's image exists (created, or adopted when {@code adopted}); waiting begins. */
  default void imageRequested(JobMessage job, String imageId, boolean adopted) {}

  /** A final result was published. */
  default void jobFinished(ResultMessage result) {}

  /** The job will be tried again after {@code delay}. */
  default void jobRetrying(JobMessage job, AmiFleetException error, Duration delay) {}

  /** A message went to the dead-letter queue. */
  default void movedToDeadLetter(String errorCode, String reason) {}

  WorkerEvents NONE = new WorkerEvents() {};

  /** Calls each of {@code listeners} in turn. */
  static WorkerEvents all(List<WorkerEvents> listeners) {
    List<WorkerEvents> copy = List.copyOf(listeners);
    return new WorkerEvents() {
      @Override
      public void jobStarted(JobMessage job, int attempt) {
        copy.forEach(l -> l.jobStarted(job, attempt));
      }

      @Override
      public void imageRequested(JobMessage job, String imageId, boolean adopted) {
        copy.forEach(l -> l.imageRequested(job, imageId, adopted));
      }

      @Override
      public void jobFinished(ResultMessage result) {
        copy.forEach(l -> l.jobFinished(result));
      }

      @Override
      public void jobRetrying(JobMessage job, AmiFleetException error, Duration delay) {
        copy.forEach(l -> l.jobRetrying(job, error, delay));
      }

      @Override
      public void movedToDeadLetter(String errorCode, String reason) {
        copy.forEach(l -> l.movedToDeadLetter(errorCode, reason));
      }
    };
  }
}
