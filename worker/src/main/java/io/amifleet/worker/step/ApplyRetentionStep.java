package io.amifleet.worker.step;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.config.Retention;
import io.amifleet.common.message.PruneMessage;
import io.amifleet.worker.job.JobContext;
import io.amifleet.worker.job.JobStep;
import io.amifleet.worker.prune.Pruner;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;

/**
 * A retention job's work: the account's policy applied in one region (or a copy destination's
 * policy to the copies there) by the {@link Pruner}, whose summary (what was deleted, what was kept
 * and why) goes in the result. Thread-safe.
 */
public final class ApplyRetentionStep implements JobStep {
  private final Pruner pruner;

  @Inject
  public ApplyRetentionStep(Pruner pruner) {
    this.pruner = requireNonNull(pruner, "pruner is null");
  }

  @Override
  public String name() {
    return "apply retention";
  }

  @Override
  public CompletableFuture<Void> run(JobContext job) {
    PruneMessage prune = job.work(PruneMessage.class);
    Retention retention = prune.retention();
    return pruner
        .prune(job.target(), retention, prune.ofCopies())
        .thenAccept(summary -> job.record(r -> r.prune(summary)));
  }
}
