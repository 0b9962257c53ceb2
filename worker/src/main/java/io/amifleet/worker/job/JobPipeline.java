package io.amifleet.worker.job;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.log.JobMdc;
import io.amifleet.common.message.WorkItem;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ordered steps of one kind of job, e.g. for an image job: resolve role → ensure image → await
 * available. {@link #run} takes a job through them, each step starting when the one before
 * succeeded, with the job's fields in the logging MDC while a step is called; the first failure
 * ends the job, and so does its release ({@link JobContext#release}), after which no further step
 * starts. On every way out, the exit actions the steps registered run, newest first. What then
 * becomes of the job is the failure policy's decision, not the pipeline's.
 *
 * <p>The pipelines of a worker are listed in one place ({@code WorkerModule}). Thread-safe and
 * stateless: the state of a job is its {@link JobContext}.
 */
public final class JobPipeline {
  private static final Logger log = LoggerFactory.getLogger(JobPipeline.class);

  private final Class<? extends WorkItem> kind;
  private final List<JobStep> steps;

  private JobPipeline(Class<? extends WorkItem> kind, List<JobStep> steps) {
    this.kind = requireNonNull(kind, "kind is null");
    this.steps = List.copyOf(steps);
    if (this.steps.isEmpty()) {
      throw new IllegalArgumentException("a pipeline needs steps");
    }
  }

  /** The pipeline of {@code kind} jobs: {@code steps} in this order. */
  public static JobPipeline of(Class<? extends WorkItem> kind, JobStep... steps) {
    return new JobPipeline(kind, List.of(steps));
  }

  /** The kind of job it runs. */
  public Class<? extends WorkItem> kind() {
    return kind;
  }

  /** Its steps' names, in order. */
  public List<String> stepNames() {
    return steps.stream().map(JobStep::name).toList();
  }

  /**
   * Takes {@code job} through the steps. The future never fails: it completes, once the exit
   * actions ran, with the error that ended the job, or {@code null} when every step succeeded.
   */
  public CompletableFuture<Throwable> run(JobContext job) {
    next(job, 0);
    return job.ended()
        .handle((ok, error) -> error)
        .thenCompose(error -> runExitActions(job).thenApply(x -> error));
  }

  private void next(JobContext job, int index) {
    if (job.isEnded()) {
      return; // released: no further step starts
    }
    if (index == steps.size()) {
      job.end(null);
      return;
    }
    JobStep step = steps.get(index);
    CompletableFuture<Void> running;
    try {
      running = JobMdc.call(job.work(), () -> step.run(job));
    } catch (RuntimeException e) {
      running = CompletableFuture.failedFuture(e);
    }
    running.whenComplete(
        (ok, error) -> {
          if (error != null) {
            job.end(error);
          } else {
            next(job, index + 1);
          }
        });
  }

  /** Runs the exit actions not run yet, one after another; a failing one is logged. */
  private static CompletableFuture<Void> runExitActions(JobContext job) {
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (JobContext.ExitAction action : job.pendingExitActions()) {
      chain =
          chain
              .thenCompose(x -> action.runNow())
              .exceptionally(
                  error -> {
                    JobMdc.with(
                        job.work(),
                        () ->
                            log.warn(
                                "job {}: {} (run as the job ended) failed: {}",
                                job.work().jobId(),
                                action.name(),
                                AwsErrors.unwrap(error).toString()));
                    return null;
                  });
    }
    return chain;
  }
}
