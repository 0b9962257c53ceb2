package io.amifleet.worker.step;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.log.JobMdc;
import io.amifleet.common.message.CopyRequest;
import io.amifleet.common.message.CopyResult;
import io.amifleet.common.message.JobMessage;
import io.amifleet.worker.WorkerSettings;
import io.amifleet.worker.copy.CopyService;
import io.amifleet.worker.copy.ImageCopier;
import io.amifleet.worker.image.ImageInfo;
import io.amifleet.worker.job.JobContext;
import io.amifleet.worker.job.JobStep;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image's disaster-recovery copies, after it is available: one per destination of the job
 * ({@link CopyRequest}), all at once, each adopted when an earlier attempt made it ({@link
 * ImageCopier}). For a vault account, the image and its snapshots are shared with it first and the
 * sharing is taken back when the step ends, whatever way it ends (even when the job is released):
 * the vault copy is the vault's own, and the source stays private. Records each copy in the result
 * ({@code copies}); a copy that did not end available fails the job with its error ({@code
 * CopyFailed}, {@code KmsAccessDenied}, TIMED_OUT, or a retryable one), so that a replay adopts the
 * image and the copies made and makes only the missing ones. A job without copies passes at once.
 * Thread-safe.
 */
public final class CopyImagesStep implements JobStep {
  private static final Logger log = LoggerFactory.getLogger(CopyImagesStep.class);

  private final ImageCopier copier;
  private final CopyService copies;
  private final Clock clock;
  private final Duration maxWait;

  @Inject
  public CopyImagesStep(
      ImageCopier copier, CopyService copies, Clock clock, WorkerSettings settings) {
    this.copier = requireNonNull(copier, "copier is null");
    this.copies = requireNonNull(copies, "copies is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.maxWait = settings.maxWait();
  }

  @Override
  public String name() {
    return "copy image";
  }

  @Override
  public CompletableFuture<Void> run(JobContext job) {
    JobMessage message = job.work(JobMessage.class);
    if (message.copies().isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    ImageInfo image = job.get(AwaitAvailableStep.AVAILABLE);
    // Copies take as long as images, or longer: each gets the whole --max-wait from now.
    Instant deadline = clock.instant().plus(maxWait);
    Set<String> vaults = new LinkedHashSet<>();
    message.copies().stream().filter(CopyRequest::vault).forEach(c -> vaults.add(c.accountId()));
    CompletableFuture<Void> shared = CompletableFuture.completedFuture(null);
    JobContext.ExitAction unshare = null;
    if (!vaults.isEmpty()) {
      for (String vault : vaults) {
        shared =
            shared.thenCompose(
                x -> copies.share(job.target(), image.imageId(), image.snapshotIds(), vault));
      }
      unshare = job.atExit("unshare " + image.imageId(), () -> unshareAll(job, image, vaults));
    }
    JobContext.ExitAction unshareNow = unshare;
    return shared
        .thenCompose(
            x -> {
              List<CompletableFuture<ImageCopier.Outcome>> each = new ArrayList<>();
              for (CopyRequest copy : message.copies()) {
                each.add(
                    copier.copy(job.target(), message, image, copy, deadline, job::releasable));
              }
              return CompletableFuture.allOf(each.toArray(new CompletableFuture<?>[0]))
                  .thenApply(y -> each.stream().map(CompletableFuture::join).toList());
            })
        .thenCompose(
            outcomes -> {
              List<CopyResult> results = outcomes.stream().map(o -> o.result()).toList();
              job.record(r -> r.copies(results));
              Optional<AmiFleetException> failed =
                  outcomes.stream().flatMap(o -> o.error().stream()).findFirst();
              // The sharing goes before the job's result says anything: a failure to take it
              // back fails the job (retried), never leaves the image shared silently.
              CompletableFuture<Void> unshared =
                  unshareNow == null
                      ? CompletableFuture.completedFuture(null)
                      : unshareNow.runNow();
              return unshared.thenRun(
                  () -> {
                    if (failed.isPresent()) {
                      throw failed.get();
                    }
                  });
            });
  }

  private CompletableFuture<Void> unshareAll(JobContext job, ImageInfo image, Set<String> vaults) {
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (String vault : vaults) {
      chain =
          chain.thenCompose(
              x -> copies.unshare(job.target(), image.imageId(), image.snapshotIds(), vault));
    }
    return chain.whenComplete(
        (x, e) -> {
          if (e == null) {
            JobMdc.with(
                job.work(JobMessage.class),
                () -> log.info("image {}: sharing with {} removed", image.imageId(), vaults));
          }
        });
  }
}
