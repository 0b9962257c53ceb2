package io.amifleet.worker.step;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.message.Consistency;
import io.amifleet.common.message.JobMessage;
import io.amifleet.worker.image.ImageMaker;
import io.amifleet.worker.image.ImageMaker.ImageRef;
import io.amifleet.worker.image.NewJobs;
import io.amifleet.worker.job.JobContext;
import io.amifleet.worker.job.JobStep;
import io.amifleet.worker.outcome.WorkerEvents;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;

/**
 * Makes sure the job has its one image: adopts the image an earlier attempt or run made (not asked
 * for on a job's very first attempt anywhere: {@link NewJobs}), or calls CreateImage (which tags
 * the image and its snapshots, with the consistency {@link PreHookStep} learnt); see {@link
 * ImageMaker}. Learns {@link #IMAGE}, and records the image ID, whether it was adopted and its
 * consistency in the result. Thread-safe.
 */
public final class EnsureImageStep implements JobStep {
  /** The job's image, and whether it was adopted. */
  public static final JobContext.Key<ImageRef> IMAGE =
      new JobContext.Key<>("image", ImageRef.class);

  private final ImageMaker maker;
  private final NewJobs newJobs;
  private final WorkerEvents events;

  @Inject
  public EnsureImageStep(ImageMaker maker, NewJobs newJobs, WorkerEvents events) {
    this.maker = requireNonNull(maker, "maker is null");
    this.newJobs = requireNonNull(newJobs, "newJobs is null");
    this.events = WorkerEvents.guarded(requireNonNull(events, "events is null"));
  }

  @Override
  public String name() {
    return "ensure image";
  }

  @Override
  public CompletableFuture<Void> run(JobContext job) {
    JobMessage image = job.work(JobMessage.class);
    Consistency consistency =
        job.find(PreHookStep.CONSISTENCY).orElse(Consistency.withoutHooks(image.reboot()));
    return maker
        .ensure(
            job.target(), image, consistency, !newJobs.firstAttemptAnywhere(image, job.attempt()))
        .thenAccept(
            ref -> {
              job.put(IMAGE, ref);
              job.record(
                  r ->
                      r.imageId(ref.imageId())
                          .adopted(ref.adopted())
                          .consistency(consistency.written()));
              events.imageRequested(image, ref.imageId(), ref.adopted());
            });
  }
}
