package io.amifleet.worker.image;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.error.ErrorCodes;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.log.JobMdc;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.Tags;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure a job has exactly one image: adopts the image already tagged with the job's ID (a
 * redelivery, a replay, a rerun of the same run, a worker that crashed after CreateImage), and only
 * otherwise calls CreateImage. On real EC2 a second CreateImage with the job's deterministic name
 * fails with {@code InvalidAMIName.Duplicate}; that image is adopted when it carries the job's ID,
 * and reported as a name conflict when it does not.
 *
 * <p>Two deliveries of one job in this worker at once share one lookup-or-create (the second adopts
 * what the first makes), so even an emulator that does not enforce unique names gets one image. An
 * earlier image of the job that ended {@code failed} is deregistered (it is amifleet's own, and it
 * holds the name) before a new one is made. Thread-safe.
 */
public final class ImageMaker {
  private static final Logger log = LoggerFactory.getLogger(ImageMaker.class);

  /** EC2 accepts up to 200 values per filter. */
  static final int MAX_BATCH = 200;

  private final ImageService images;
  private final Coalescer<String, List<ImageInfo>> jobImages;
  private final Coalescer<String, Map<String, String>> instanceTags;
  private final ConcurrentMap<String, CompletableFuture<ImageRef>> inProgress =
      new ConcurrentHashMap<>();

  /** The job's image and whether it existed before this attempt. */
  public record ImageRef(String imageId, boolean adopted) {}

  /**
   * @param timer schedules the batched look-ups
   * @param window how long a look-up may wait for companions of the same account+region
   */
  public ImageMaker(ImageService images, ScheduledExecutorService timer, Duration window) {
    this.images = requireNonNull(images, "images is null");
    this.jobImages =
        new Coalescer<>(
            timer,
            window,
            MAX_BATCH,
            (target, jobIds) ->
                images
                    .findByJobIds(target, jobIds)
                    .thenApply(found -> Coalescer.group(found, i -> i.tags().get(Tags.JOB_ID))),
            List.of());
    this.instanceTags = new Coalescer<>(timer, window, MAX_BATCH, images::instanceTags, null);
  }

  public CompletableFuture<ImageRef> ensure(Ec2Target target, JobMessage job) {
    CompletableFuture<ImageRef> mine = new CompletableFuture<>();
    CompletableFuture<ImageRef> running = inProgress.putIfAbsent(job.jobId(), mine);
    if (running != null) {
      JobMdc.with(
          job,
          () ->
              log.info(
                  "job {}: delivered twice at once; this delivery adopts the other's image",
                  job.jobId()));
      return running.thenApply(ref -> new ImageRef(ref.imageId(), true));
    }
    lookUpOrCreate(target, job)
        .whenComplete(
            (ref, error) -> {
              inProgress.remove(job.jobId(), mine);
              if (error != null) {
                mine.completeExceptionally(error);
              } else {
                mine.complete(ref);
              }
            });
    return mine;
  }

  private CompletableFuture<ImageRef> lookUpOrCreate(Ec2Target target, JobMessage job) {
    return jobImages
        .get(target, job.jobId())
        .thenCompose(
            existing -> {
              Optional<ImageInfo> usable = pickUsable(existing);
              if (usable.isPresent()) {
                JobMdc.with(
                    job,
                    () ->
                        log.info(
                            "job {}: adopting {} ({}) made by an earlier attempt",
                            job.jobId(),
                            usable.get().imageId(),
                            usable.get().state()));
                return CompletableFuture.completedFuture(
                    new ImageRef(usable.get().imageId(), true));
              }
              CompletableFuture<Void> cleared = CompletableFuture.completedFuture(null);
              for (ImageInfo broken : existing) {
                if (broken.state().equals("failed")
                    || broken.state().equals("error")
                    || broken.state().equals("invalid")) {
                  JobMdc.with(
                      job,
                      () ->
                          log.info(
                              "job {}: deregistering earlier {} image {}",
                              job.jobId(),
                              broken.state(),
                              broken.imageId()));
                  cleared = cleared.thenCompose(x -> images.deregister(target, broken.imageId()));
                }
              }
              return cleared.thenCompose(x -> create(target, job));
            });
  }

  private CompletableFuture<ImageRef> create(Ec2Target target, JobMessage job) {
    CompletableFuture<Map<String, String>> copiedTags =
        job.copyInstanceTags()
            ? instanceTags
                .get(target, job.instanceId())
                .thenApply(tags -> existing(target, job, tags))
            : CompletableFuture.completedFuture(Map.of());
    return copiedTags.thenCompose(
        copied -> {
          ImageRequest request =
              new ImageRequest(
                  job.instanceId(),
                  job.imageName(),
                  "amifleet job " + job.jobId() + " of run " + job.runId(),
                  !job.reboot(),
                  ImageTags.of(job, copied));
          return images
              .createImage(target, request)
              .thenApply(id -> new ImageRef(id, false))
              .exceptionallyCompose(
                  e -> {
                    if ("InvalidAMIName.Duplicate".equals(AwsErrors.errorCodeOf(e))) {
                      return adoptByName(target, job);
                    }
                    return CompletableFuture.failedFuture(e);
                  });
        });
  }

  private static Map<String, String> existing(
      Ec2Target target, JobMessage job, Map<String, String> tags) {
    if (tags == null) {
      throw new AmiFleetException(
          ErrorKind.PERMANENT,
          "InvalidInstanceID.NotFound",
          "instance " + job.instanceId() + " does not exist in " + target);
    }
    return tags;
  }

  private CompletableFuture<ImageRef> adoptByName(Ec2Target target, JobMessage job) {
    return images
        .findByName(target, job.imageName())
        .thenApply(
            found -> {
              Optional<ImageInfo> ours =
                  found.stream()
                      .filter(i -> job.jobId().equals(i.tags().get(Tags.JOB_ID)))
                      .findFirst();
              if (ours.isPresent()) {
                JobMdc.with(
                    job,
                    () ->
                        log.info(
                            "job {}: name {} taken by its own image {}; adopting",
                            job.jobId(),
                            job.imageName(),
                            ours.get().imageId()));
                return new ImageRef(ours.get().imageId(), true);
              }
              String holder = found.isEmpty() ? "an image not visible yet" : found.get(0).imageId();
              throw new AmiFleetException(
                  ErrorKind.PERMANENT,
                  ErrorCodes.IMAGE_NAME_CONFLICT,
                  "image name '"
                      + job.imageName()
                      + "' is already used by "
                      + holder
                      + " in "
                      + target
                      + ", which was not made for job "
                      + job.jobId()
                      + "; change imageName in targets.yaml");
            });
  }

  /** An available image first, else the oldest pending one. */
  private static Optional<ImageInfo> pickUsable(List<ImageInfo> existing) {
    return existing.stream()
        .filter(i -> i.available() || i.pending())
        .min(
            Comparator.comparing((ImageInfo i) -> !i.available())
                .thenComparing(i -> i.creationDate() == null ? "" : i.creationDate())
                .thenComparing(ImageInfo::imageId));
  }
}
