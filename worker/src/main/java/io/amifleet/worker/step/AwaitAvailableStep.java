package io.amifleet.worker.step;

import static java.util.Objects.requireNonNull;

import io.amifleet.worker.WorkerSettings;
import io.amifleet.worker.image.ImageAvailability;
import io.amifleet.worker.image.ImageInfo;
import io.amifleet.worker.job.JobContext;
import io.amifleet.worker.job.JobStep;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Waits, holding no thread, until the job's image is available, at most {@code --max-wait} from the
 * job's start ({@link ImageAvailability}: polled, or sooner on an image event). Learns {@link
 * #AVAILABLE} and records the snapshots in the result. A failed image or a wait past the deadline
 * fails the job (FAILED / TIMED_OUT, from the error). A released job abandons its wait.
 * Thread-safe.
 */
public final class AwaitAvailableStep implements JobStep {
  /** The job's image as it was when it became available (with its snapshots). */
  public static final JobContext.Key<ImageInfo> AVAILABLE =
      new JobContext.Key<>("available image", ImageInfo.class);

  private final ImageAvailability availability;
  private final Duration maxWait;

  @Inject
  public AwaitAvailableStep(ImageAvailability availability, WorkerSettings settings) {
    this.availability = requireNonNull(availability, "availability is null");
    this.maxWait = settings.maxWait();
  }

  @Override
  public String name() {
    return "await available";
  }

  @Override
  public CompletableFuture<Void> run(JobContext job) {
    String imageId = job.get(EnsureImageStep.IMAGE).imageId();
    return job.releasable(availability.await(job.target(), imageId, job.startedAt().plus(maxWait)))
        .thenAccept(
            image -> {
              job.put(AVAILABLE, image);
              job.record(r -> r.imageId(image.imageId()).snapshotIds(image.snapshotIds()));
            });
  }
}
