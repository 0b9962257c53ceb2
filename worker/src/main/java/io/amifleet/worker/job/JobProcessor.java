package io.amifleet.worker.job;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.message.WorkItem;
import io.amifleet.worker.outcome.FailurePolicy;
import io.amifleet.worker.outcome.OutcomeRouter;
import io.amifleet.worker.outcome.WorkerEvents;
import io.amifleet.worker.poll.JobQueue;
import io.amifleet.worker.poll.ReceivedJob;
import io.amifleet.worker.visibility.VisibilityHeartbeat;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs one received message to its outcome: decode (by {@code kind}) and validate → the pipeline of
 * the job's kind, while the heartbeat keeps the message invisible → the {@link FailurePolicy}'s
 * decision → the {@link OutcomeRouter}. The returned future completes when the message has been
 * dealt with and never fails.
 *
 * <p>Each kind of job has exactly one pipeline, found by the decoded record's type: a kind without
 * one fails the worker's start, not a job. Holds the jobs in progress, and only those, so that
 * {@link #releaseAll} can end them at shutdown. Thread-safe.
 */
public final class JobProcessor {
  private final MessageCodec codec;
  private final JobValidator validator;
  private final Map<Class<? extends WorkItem>, JobPipeline> pipelines = new HashMap<>();
  private final FailurePolicy policy;
  private final OutcomeRouter router;
  private final VisibilityHeartbeat heartbeat;
  private final JobQueue queue;
  private final WorkerEvents events;
  private final Clock clock;
  private final Set<JobContext> inProgress = ConcurrentHashMap.newKeySet();
  private volatile boolean releasing;

  @Inject
  public JobProcessor(
      MessageCodec codec,
      JobValidator validator,
      List<JobPipeline> pipelines,
      FailurePolicy policy,
      OutcomeRouter router,
      VisibilityHeartbeat heartbeat,
      JobQueue queue,
      WorkerEvents events,
      Clock clock) {
    this.codec = requireNonNull(codec, "codec is null");
    this.validator = requireNonNull(validator, "validator is null");
    for (JobPipeline p : pipelines) {
      if (this.pipelines.containsKey(p.kind())) {
        throw new IllegalArgumentException("two pipelines for " + p.kind().getSimpleName());
      }
      this.pipelines.put(p.kind(), p);
    }
    for (Class<?> kind : WorkItem.class.getPermittedSubclasses()) {
      if (!this.pipelines.containsKey(kind)) {
        throw new IllegalArgumentException("no pipeline for " + kind.getSimpleName() + " jobs");
      }
    }
    this.policy = requireNonNull(policy, "policy is null");
    this.router = requireNonNull(router, "router is null");
    this.heartbeat = requireNonNull(heartbeat, "heartbeat is null");
    this.queue = requireNonNull(queue, "queue is null");
    this.events = WorkerEvents.guarded(requireNonNull(events, "events is null"));
    this.clock = requireNonNull(clock, "clock is null");
  }

  public CompletableFuture<Void> process(ReceivedJob message) {
    Instant startedAt = clock.instant();
    WorkItem work;
    try {
      work = codec.decodeWork(message.body());
    } catch (AmiFleetException e) {
      return router.route(message, null, policy.unreadable(e));
    }
    JobContext job = new JobContext(message, work, startedAt);
    CompletableFuture<Throwable> ended;
    try {
      validator.check(work);
      events.jobStarted(work, message.receiveCount());
      heartbeat.track(message);
      ended = run(job);
    } catch (AmiFleetException e) {
      ended = CompletableFuture.completedFuture(e);
    }
    return ended
        .thenApply(error -> policy.decide(job, error, queue.maxReceiveCount()))
        // Stop extending visibility before the outcome sets it (a retry's backoff, a release):
        // an extension in flight must not override it.
        .thenCompose(
            outcome -> {
              heartbeat.untrack(message);
              return router.route(message, work, outcome);
            })
        .whenComplete((x, e) -> heartbeat.untrack(message));
  }

  /** Runs the job's pipeline; a job started while the worker releases its jobs is released. */
  private CompletableFuture<Throwable> run(JobContext job) {
    inProgress.add(job);
    if (releasing) {
      job.release();
    }
    return pipelines
        .get(job.work().getClass())
        .run(job)
        .thenApply(
            error -> {
              inProgress.remove(job);
              return error;
            });
  }

  /**
   * Ends every held job at once, whatever step it is in, so that its message is released to another
   * worker (the policy's {@code Release}); jobs received from now on are released too. An image
   * requested already is adopted by that worker, so nothing is made twice.
   */
  public void releaseAll() {
    releasing = true;
    inProgress.forEach(JobContext::release);
  }

  /** Jobs in their pipeline now (not yet ended). */
  public int inProgress() {
    return inProgress.size();
  }
}
