package io.amifleet.worker.step;

import static java.util.Objects.requireNonNull;

import io.amifleet.worker.image.ImageService;
import io.amifleet.worker.job.JobContext;
import io.amifleet.worker.job.JobStep;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;

/**
 * Assumes the job's role in its account (with its ExternalId), before any EC2 call: an AccessDenied
 * here (a broken trust policy) fails the job before anything is made. Credentials are cached per
 * role and ExternalId, so this costs about one AssumeRole per role per hour. Thread-safe.
 */
public final class ResolveRoleStep implements JobStep {
  private final ImageService images;

  @Inject
  public ResolveRoleStep(ImageService images) {
    this.images = requireNonNull(images, "images is null");
  }

  @Override
  public String name() {
    return "resolve role";
  }

  @Override
  public CompletableFuture<Void> run(JobContext job) {
    return images.ready(job.target());
  }
}
