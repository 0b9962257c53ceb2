package io.amifleet.worker.outcome;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.config.Durations;
import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.log.JobMdc;
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
 * The queue side of a job's outcome, as the {@link FailurePolicy} decided it: publish the result
 * where there is one, then delete the message, move it to the DLQ (with the reason as attributes)
 * or change its visibility (a retry's backoff, a release at shutdown). Listeners hear of it only
 * once the message has been dealt with, and a listener that throws changes nothing.
 *
 * <p>Nothing is lost when a step fails: if the result cannot be published the message is left to
 * reappear after a backoff (the next attempt adopts the image and publishes again); if the DLQ copy
 * is refused, the message is not deleted. The returned future never fails. Thread-safe.
 */
public final class OutcomeRouter {
  private static final Logger log = LoggerFactory.getLogger(OutcomeRouter.class);

  private final JobQueue queue;
  private final ResultSink results;
  private final FailurePolicy policy;
  private final WorkerEvents events;
  private final Clock clock;

  @Inject
  public OutcomeRouter(
      JobQueue queue, ResultSink results, FailurePolicy policy, WorkerEvents events, Clock clock) {
    this.queue = requireNonNull(queue, "queue is null");
    this.results = requireNonNull(results, "results is null");
    this.policy = requireNonNull(policy, "policy is null");
    this.events = WorkerEvents.guarded(requireNonNull(events, "events is null"));
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
      ResultMessage result = s.result();
      return publishThen(
          message,
          result,
          () ->
              queue
                  .delete(message)
                  .thenRun(
                      () -> {
                        JobMdc.with(
                            result, () -> log.info("job {}: {}", result.jobId(), done(result)));
                        events.jobFinished(result);
                      }));
    }
    if (outcome instanceof JobOutcome.Unsuccessful u) {
      return publishThen(
          message,
          u.result(),
          () ->
              moveToDeadLetter(
                  message,
                  job,
                  u.error(),
                  () -> {
                    JobMdc.with(
                        u.result(),
                        () ->
                            log.warn(
                                "job {}: {} moved to the DLQ: {}",
                                u.result().jobId(),
                                u.result().status(),
                                u.error().getMessage()));
                    events.jobFinished(u.result());
                  }));
    }
    if (outcome instanceof JobOutcome.Retry r) {
      return queue
          .changeVisibility(message, r.delay())
          .thenRun(
              () -> {
                JobMdc.with(
                    job,
                    () ->
                        log.warn(
                            "job {}: attempt {} failed, retrying in {}: {}",
                            job == null ? message.messageId() : job.jobId(),
                            message.receiveCount(),
                            Durations.format(r.delay()),
                            r.error().getMessage()));
                if (job != null) {
                  events.jobRetrying(job, r.error(), r.delay());
                }
              });
    }
    if (outcome instanceof JobOutcome.Poison p) {
      // Reported only once the DLQ took the message: when the result cannot be published the
      // message is left to come back instead, and nothing was moved.
      Supplier<CompletableFuture<Void>> move =
          () ->
              moveToDeadLetter(
                  message,
                  job,
                  p.error(),
                  () -> {
                    JobMdc.with(
                        job,
                        () ->
                            log.warn(
                                "message {}: poison, moved to the DLQ: {}",
                                message.messageId(),
                                p.error().getMessage()));
                    p.result().ifPresent(events::jobFinished);
                  });
      return p.result().isPresent() ? publishThen(message, p.result().get(), move) : move.get();
    }
    if (outcome instanceof JobOutcome.Release) {
      return queue.changeVisibility(message, Duration.ZERO);
    }
    throw new IllegalStateException("unknown outcome " + outcome);
  }

  /**
   * Moves the message to the DLQ with {@code error} as its reason; once the DLQ took it, runs
   * {@code moved} and tells the listeners.
   */
  private CompletableFuture<Void> moveToDeadLetter(
      ReceivedJob message, WorkItem job, AmiFleetException error, Runnable moved) {
    Map<String, String> attributes =
        DeadLetterAttributes.of(
            error.errorCode(), error.getMessage(), clock.instant(), message.receiveCount(), job);
    return queue
        .moveToDeadLetter(message, attributes)
        .thenRun(
            () -> {
              moved.run();
              events.movedToDeadLetter(error.errorCode(), error.getMessage());
            });
  }

  /**
   * Publishes {@code result}, then runs {@code next}. When publishing fails, the message is left to
   * reappear after the policy's backoff instead, so no job ends without a result.
   */
  private CompletableFuture<Void> publishThen(
      ReceivedJob message, ResultMessage result, Supplier<CompletableFuture<Void>> next) {
    return results
        .publish(result)
        .handle((ok, error) -> error)
        .thenCompose(
            error -> {
              if (error != null) {
                Duration delay = policy.retryDelay(message.receiveCount());
                log.error(
                    "job {}: cannot publish its result, retrying the job in {} s: {}",
                    result.jobId(),
                    delay.toSeconds(),
                    AwsErrors.unwrap(error).toString());
                return queue.changeVisibility(message, delay);
              }
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
