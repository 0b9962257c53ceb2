package io.amifleet.worker.outcome;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.common.message.WorkItem;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a worker tells observers (progress display, metrics, tests). Called from worker threads;
 * implementations must be thread-safe and quick. The worker calls them through {@link #guarded}, so
 * a listener that throws is logged and changes nothing of what happens to the job.
 */
public interface WorkerEvents {
  /** A valid job was received and its work begins. */
  default void jobStarted(WorkItem job, int attempt) {}

  /** The job's image exists (created, or adopted when {@code adopted}); waiting begins. */
  default void imageRequested(JobMessage job, String imageId, boolean adopted) {}

  /** A final result was published and the job's message dealt with. */
  default void jobFinished(ResultMessage result) {}

  /** The job will be tried again after {@code delay}. */
  default void jobRetrying(WorkItem job, AmiFleetException error, Duration delay) {}

  /** A message went to the dead-letter queue. */
  default void movedToDeadLetter(String errorCode, String reason) {}

  /** A hook of the job ({@code pre} or {@code post}) failed on its instance: {@code detail}. */
  default void hookFailed(JobMessage job, String hook, String detail) {}

  WorkerEvents NONE = new WorkerEvents() {};

  /** Calls each of {@code listeners} in turn. */
  static WorkerEvents all(List<WorkerEvents> listeners) {
    List<WorkerEvents> copy = List.copyOf(listeners);
    return each(call -> copy.forEach(call));
  }

  /** {@code events}, with a listener's exception logged instead of thrown. */
  static WorkerEvents guarded(WorkerEvents events) {
    Logger log = LoggerFactory.getLogger(WorkerEvents.class);
    return each(
        call -> {
          try {
            call.accept(events);
          } catch (RuntimeException e) {
            log.warn("a worker event listener failed; the job goes on: {}", e.toString());
          }
        });
  }

  /** Events that hand each call to {@code dispatch}, which calls it on the listeners it has. */
  private static WorkerEvents each(Consumer<Consumer<WorkerEvents>> dispatch) {
    return new WorkerEvents() {
      @Override
      public void jobStarted(WorkItem job, int attempt) {
        dispatch.accept(l -> l.jobStarted(job, attempt));
      }

      @Override
      public void imageRequested(JobMessage job, String imageId, boolean adopted) {
        dispatch.accept(l -> l.imageRequested(job, imageId, adopted));
      }

      @Override
      public void jobFinished(ResultMessage result) {
        dispatch.accept(l -> l.jobFinished(result));
      }

      @Override
      public void jobRetrying(WorkItem job, AmiFleetException error, Duration delay) {
        dispatch.accept(l -> l.jobRetrying(job, error, delay));
      }

      @Override
      public void movedToDeadLetter(String errorCode, String reason) {
        dispatch.accept(l -> l.movedToDeadLetter(errorCode, reason));
      }

      @Override
      public void hookFailed(JobMessage job, String hook, String detail) {
        dispatch.accept(l -> l.hookFailed(job, hook, detail));
      }
    };
  }
}
