package io.amifleet.worker.outcome;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.config.Durations;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.log.JobMdc;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.PruneSummary;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.common.message.WorkItem;
import io.amifleet.worker.poll.JobQueue;
import io.amifleet.worker.poll.ReceivedJob;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns a job's outcome into what happens to its message: delete (after the
 * result was accepted), a visibility change (retry backoff, or release at shutdown), or a move to
 * the DLQ (with the reason as attributes; after the result was accepted, where there is one).
 *
 * <p>Nothing is lost when a step fails: if the result cannot be published the message is left to
 * reappear (the next attempt adopts the image and publishes again); if the DLQ copy is refused, the
 * message is not deleted. The returned future never fails. Thread-safe.
 */
public final class OutcomeRouter {
  private static final Logger log = LoggerFactory.getLogger(OutcomeRouter.class);

  private final JobQueue queue;
  private final ResultSink results;
  private final RetryBackoff backoff;
  private final WorkerEvents events;
  private final Clock clock;

  @Inject
  public OutcomeRouter(
      JobQueue queue, ResultSink results, RetryBackoff backoff, WorkerEvents events, Clock clock) {
    this.queue = requireNonNull(queue, "queue is null");
    this.results = requireNonNull(results, "results is null");
    this.backoff = requireNonNull(backoff, "backoff is null");
    this.events = requireNonNull(events, "events is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /**
   * Routes {@code outcome} of {@code message}; {@code job} is the decoded job, or {@code null} when
   * the message could not be decoded.
   */
  public CompletableFuture<Void> route(ReceivedJob message, WorkItem job, JobOutcome outcome) {
    CompletableFuture<Void> done;
    try {
      done = dispatch(message, job, outcome);
    } catch (RuntimeException e) {
      done = CompletableFuture.failedFuture(e);
    }
    return done.exceptionally(
        e -> {
          log.error(
              "message {} ({}): routing {} failed, it will reappear after its visibility timeout: {}",
              message.messageId(),
              job == null ? "undecodable" : "job " + job.jobId(),
              outcome.getClass().getSimpleName(),
              AwsErrors.unwrap(e).toString());
          return null;
        });
  }

  private CompletableFuture<Void> dispatch(ReceivedJob message, WorkItem job, JobOutcome outcome) {
    if (outcome instanceof JobOutcome.Succeeded s) {
      return publishThen(
          message,
          job,
          s.result(),
          () ->
              queue
                  .delete(message)
                  .thenRun(
                      () ->
                          JobMdc.with(
                              s.result(),
                              () -> log.info("job {}: {}", s.result().jobId(), done(s.result())))));
    }
    if (outcome instanceof JobOutcome.Unsuccessful u) {
      Map<String, String> attributes =
          DeadLetterAttributes.of(
              u.error().errorCode(),
              u.error().getMessage(),
              clock.instant(),
              message.receiveCount(),
              job);
      return publishThen(
          message,
          job,
          u.result(),
          () ->
              queue
                  .moveToDeadLetter(message, attributes)
                  .thenRun(
                      () -> {
                        JobMdc.with(
                            u.result(),
                            () ->
                                log.warn(
                                    "job {}: {} moved to the DLQ: {}",
                                    u.result().jobId(),
                                    u.result().status(),
                                    u.error().getMessage()));
                        events.movedToDeadLetter(u.error().errorCode(), u.error().getMessage());
                      }));
    }
    if (outcome instanceof JobOutcome.Retry r) {
      Duration delay = backoff.delay(message.receiveCount());
      return queue
          .changeVisibility(message, delay)
          .thenRun(
              () -> {
                JobMdc.with(
                    job,
                    () ->
                        log.warn(
                            "job {}: attempt {} failed, retrying in {}: {}",
                            job == null ? message.messageId() : job.jobId(),
                            message.receiveCount(),
                            Durations.format(delay),
                            r.error().getMessage()));
                if (job instanceof JobMessage image) {
                  events.jobRetrying(image, r.error(), delay);
                }
              });
    }
    if (outcome instanceof JobOutcome.Poison p) {
      Map<String, String> attributes =
          DeadLetterAttributes.of(
              p.error().errorCode(),
              p.error().getMessage(),
              clock.instant(),
              message.receiveCount(),
              job);
      // Reported only once the DLQ took the message: when the result cannot be published the
      // message is left to come back instead, and nothing was moved.
      Supplier<CompletableFuture<Void>> move =
          () ->
              queue
                  .moveToDeadLetter(message, attributes)
                  .thenRun(
                      () -> {
                        JobMdc.with(
                            job,
                            () ->
                                log.warn(
                                    "message {}: poison, moved to the DLQ: {}",
                                    message.messageId(),
                                    p.error().getMessage()));
                        events.movedToDeadLetter(p.error().errorCode(), p.error().getMessage());
                      });
      return p.result().isPresent()
          ? publishThen(message, job, p.result().get(), move)
          : move.get();
    }
    if (outcome instanceof JobOutcome.Release) {
      return queue.changeVisibility(message, Duration.ZERO);
    }
    throw new IllegalStateException("unknown outcome " + outcome);
  }

  /**
   * Publishes {@code result}, then runs {@code next}. When publishing fails, the message is left to
   * reappear after a backoff instead, so no job ends without a result.
   */
  private CompletableFuture<Void> publishThen(
      ReceivedJob message,
      WorkItem job,
      ResultMessage result,
      Supplier<CompletableFuture<Void>> next) {
    return results
        .publish(result)
        .handle((ok, error) -> error)
        .thenCompose(
            error -> {
              if (error != null) {
                Duration delay = backoff.delay(message.receiveCount());
                log.error(
                    "job {}: cannot publish its result, retrying the job in {} s: {}",
                    result.jobId(),
                    delay.toSeconds(),
                    AwsErrors.unwrap(error).toString());
                return queue.changeVisibility(message, delay);
              }
              events.jobFinished(result);
              return next.get();
            });
  }

  /**
   * What a finished job made, for its log line: the image of an image job, the deletions of a
   * retention job (which has no image), and how long it took.
   */
  static String done(ResultMessage r) {
    String took =
        r.startedAt() == null || r.finishedAt() == null
            ? ""
            : " in " + Durations.format(Duration.between(r.startedAt(), r.finishedAt()));
    if (r.isPrune()) {
      PruneSummary p = r.prune();
      return r.status()
          + took
          + ": retention applied"
          + (p == null
              ? ""
              : ", "
                  + p.deletedImageIds().size()
                  + " image(s) and "
                  + p.deletedSnapshotIds().size()
                  + " snapshot(s) deleted, "
                  + p.keptImages()
                  + " image(s) kept");
    }
    return r.status() + took + ": " + r.imageId() + " (" + r.imageName() + ")";
  }
}
