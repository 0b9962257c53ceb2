package io.amifleet.worker.step;

import io.amifleet.worker.job.JobContext;
import io.amifleet.worker.job.JobStep;
import java.util.concurrent.CompletableFuture;

/**
 * The job's post hook as soon as CreateImage returned (the snapshots' point in time is taken then,
 * so the instance need not stay frozen while the image is pending): runs the exit action {@link
 * PreHookStep} registered, which the pipeline would otherwise run when the job ends. A post that
 * fails does not fail the job (the image is good); it is reported in the result, the log and the
 * metrics. A job without a post hook, or whose hooks did not run, skips it. Thread-safe.
 */
public final class PostHookStep implements JobStep {
  @Override
  public String name() {
    return "post hook";
  }

  @Override
  public CompletableFuture<Void> run(JobContext job) {
    return job.find(PreHookStep.POST)
        .map(JobContext.ExitAction::runNow)
        .orElseGet(() -> CompletableFuture.completedFuture(null));
  }
}
