package io.amifleet.worker.image;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.error.ErrorCodes;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.log.JobMdc;
import io.amifleet.common.message.Consistency;
import io.amifleet.common.message.Devices;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure a job has exactly one image: adopts the image already made for the job (a redelivery,
 * a replay, a rerun of the same run, a worker that crashed after CreateImage, a CreateImage whose
 * answer was lost), and only otherwise calls CreateImage. An image is the job's only when its job
 * ID, source instance and run tags are the job's and the job's account owns it (every look-up goes
 * to the job's region): a job ID alone could have been copied onto another job or image.
 *
 * <p>On real EC2 a second CreateImage with the job's deterministic name fails with {@code
 * InvalidAMIName.Duplicate}; the image of that name is adopted when it is the job's, and reported
 * as a name conflict when it is not. DescribeImages lags behind CreateImage, so the name may be
 * taken by an image not visible yet: it is looked up again with growing pauses, and if it still
 * does not show, the job is retried (its next attempt finds it) rather than failed.
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

  /**
   * Look-ups by name while the name is taken by an image not visible yet, with pauses of one, two
   * and four times the first pause between them.
   */
  static final int NAME_LOOKUPS = 4;

  private final ImageService images;
  private final ScheduledExecutorService timer;
  private final Duration firstNamePause;
  private final Coalescer<String, List<ImageInfo>> jobImages;
  private final Coalescer<String, InstanceInfo> instances;
  private final ConcurrentMap<String, CompletableFuture<ImageRef>> inProgress =
      new ConcurrentHashMap<>();

  /** The job's image and whether it existed before this attempt. */
  public record ImageRef(String imageId, boolean adopted) {}

  /**
   * @param timer schedules the batched look-ups and the pauses between look-ups by name
   * @param window how long a look-up may wait for companions of the same account+region
   * @param firstNamePause the first pause before the name is looked up again; it doubles for each
   *     of the {@link #NAME_LOOKUPS} look-ups
   */
  public ImageMaker(
      ImageService images,
      ScheduledExecutorService timer,
      Duration window,
      Duration firstNamePause) {
    this.images = requireNonNull(images, "images is null");
    this.timer = requireNonNull(timer, "timer is null");
    this.firstNamePause = requireNonNull(firstNamePause, "firstNamePause is null");
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
    this.instances = new Coalescer<>(timer, window, MAX_BATCH, images::instances, null);
  }

  /** {@link #ensure(Ec2Target, JobMessage, Consistency)} for a job without hooks. */
  public CompletableFuture<ImageRef> ensure(Ec2Target target, JobMessage job) {
    return ensure(target, job, Consistency.withoutHooks(job.reboot()));
  }

  /** The job's image: adopted, or made by CreateImage with {@code consistency} in its tags. */
  public CompletableFuture<ImageRef> ensure(
      Ec2Target target, JobMessage job, Consistency consistency) {
    return ensure(target, job, consistency, true);
  }

  /**
   * As {@link #ensure(Ec2Target, JobMessage, Consistency)}; without {@code lookUp} (the job's very
   * first attempt anywhere: {@link NewJobs}) no image made for the job is asked for before
   * CreateImage.
   */
  public CompletableFuture<ImageRef> ensure(
      Ec2Target target, JobMessage job, Consistency consistency, boolean lookUp) {
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
    (lookUp ? lookUpOrCreate(target, job, consistency) : create(target, job, consistency))
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

  /**
   * The usable (available or pending) image an earlier attempt or run made for the job, if any: a
   * job with hooks asks before its pre hook, which must not run again for an image that exists.
   */
  public CompletableFuture<Optional<ImageInfo>> existing(Ec2Target target, JobMessage job) {
    return madeForJob(target, job).thenApply(ImageMaker::pickUsable);
  }

  /** The images tagged with the job's ID that are the job's (the others are logged). */
  private CompletableFuture<List<ImageInfo>> madeForJob(Ec2Target target, JobMessage job) {
    return jobImages
        .get(target, job.jobId())
        .thenApply(
            tagged -> {
              List<ImageInfo> existing = new ArrayList<>();
              for (ImageInfo image : tagged) {
                if (madeFor(image, job, target)) {
                  existing.add(image);
                } else {
                  log.warn(
                      "job {}: image {} carries the job's ID but is not its image (source"
                          + " instance {}, run {}, owner {}); left alone",
                      job.jobId(),
                      image.imageId(),
                      image.tags().get(Tags.SOURCE_INSTANCE),
                      image.tags().get(Tags.RUN_ID),
                      image.ownerId());
                }
              }
              return existing;
            });
  }

  private CompletableFuture<ImageRef> lookUpOrCreate(
      Ec2Target target, JobMessage job, Consistency consistency) {
    return madeForJob(target, job)
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
                if (broken.state().replaceable()) {
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
              return cleared.thenCompose(x -> create(target, job, consistency));
            });
  }

  private CompletableFuture<ImageRef> create(
      Ec2Target target, JobMessage job, Consistency consistency) {
    CompletableFuture<Optional<InstanceInfo>> described =
        job.copyInstanceTags() || !job.excludedDevices().isEmpty()
            ? instances
                .get(target, job.instanceId())
                .thenApply(instance -> Optional.of(described(target, job, instance)))
            : CompletableFuture.completedFuture(Optional.empty());
    return described.thenCompose(
        instance -> {
          Map<String, String> copied =
              job.copyInstanceTags() ? instance.orElseThrow().tags() : Map.of();
          List<String> noDevices = instance.map(i -> noDevices(target, job, i)).orElse(List.of());
          ImageRequest request =
              new ImageRequest(
                  job.instanceId(),
                  job.imageName(),
                  ImageDescription.of(job.jobId(), job.runId()),
                  !job.reboot(),
                  ImageTags.of(job, copied, consistency),
                  noDevices);
          return images
              .createImage(target, request)
              .thenApply(id -> new ImageRef(id, false))
              .exceptionallyCompose(
                  e -> {
                    if ("InvalidAMIName.Duplicate".equals(AwsErrors.errorCodeOf(e))) {
                      return adoptByName(target, job, 0);
                    }
                    return CompletableFuture.failedFuture(e);
                  });
        });
  }

  private static InstanceInfo described(Ec2Target target, JobMessage job, InstanceInfo instance) {
    if (instance == null) {
      throw new AmiFleetException(
          ErrorKind.PERMANENT,
          "InvalidInstanceID.NotFound",
          "instance " + job.instanceId() + " does not exist in " + target);
    }
    return instance;
  }

  /**
   * The job's {@code excludeDevices} as the instance names them. A device the instance does not
   * have, or its root device (EC2 cannot leave the root volume out), fails the job with the
   * instance's devices, before CreateImage: EC2's own answer would not say which devices there are.
   */
  static List<String> noDevices(Ec2Target target, JobMessage job, InstanceInfo instance) {
    List<String> out = new ArrayList<>();
    for (String wanted : job.excludedDevices()) {
      if (instance.rootDeviceName() != null && Devices.same(wanted, instance.rootDeviceName())) {
        throw new AmiFleetException(
            ErrorKind.PERMANENT,
            ErrorCodes.INVALID_EXCLUDED_DEVICE,
            "excludeDevices: "
                + wanted
                + " is the root device of "
                + job.instanceId()
                + " in "
                + target
                + ", and EC2 cannot leave the root volume out of an image");
      }
      Optional<String> attached =
          instance.devices().stream().filter(d -> Devices.same(d, wanted)).findFirst();
      if (attached.isEmpty()) {
        throw new AmiFleetException(
            ErrorKind.PERMANENT,
            ErrorCodes.INVALID_EXCLUDED_DEVICE,
            "excludeDevices: "
                + wanted
                + " is not a device of "
                + job.instanceId()
                + " in "
                + target
                + "; its devices are "
                + instance.devices()
                + " (root "
                + instance.rootDeviceName()
                + ")");
      }
      out.add(attached.get());
    }
    return out;
  }

  /**
   * The image holding the job's name: adopted when it is the job's, a name conflict when it is not.
   * While none is visible (DescribeImages lags behind CreateImage), looked up again after pauses;
   * then a retryable failure, so that the job's next attempt decides.
   */
  private CompletableFuture<ImageRef> adoptByName(Ec2Target target, JobMessage job, int lookup) {
    return images
        .findByName(target, job.imageName())
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                if (lookup + 1 < NAME_LOOKUPS) {
                  Duration pause = firstNamePause.multipliedBy(1L << lookup);
                  log.info(
                      "job {}: name {} is taken by an image not visible yet; looking again in {}"
                          + " ms",
                      job.jobId(),
                      job.imageName(),
                      pause.toMillis());
                  return after(pause).thenCompose(x -> adoptByName(target, job, lookup + 1));
                }
                throw new AmiFleetException(
                    ErrorKind.RETRYABLE,
                    ErrorCodes.IMAGE_NOT_VISIBLE_YET,
                    "image name '"
                        + job.imageName()
                        + "' is taken in "
                        + target
                        + " by an image DescribeImages does not show yet; the job is retried and"
                        + " adopts it if it is this job's");
              }
              Optional<ImageInfo> ours =
                  found.stream().filter(i -> madeFor(i, job, target)).findFirst();
              if (ours.isPresent()) {
                JobMdc.with(
                    job,
                    () ->
                        log.info(
                            "job {}: name {} taken by its own image {}; adopting",
                            job.jobId(),
                            job.imageName(),
                            ours.get().imageId()));
                return CompletableFuture.completedFuture(new ImageRef(ours.get().imageId(), true));
              }
              throw new AmiFleetException(
                  ErrorKind.PERMANENT,
                  ErrorCodes.IMAGE_NAME_CONFLICT,
                  "image name '"
                      + job.imageName()
                      + "' is already used by "
                      + found.get(0).imageId()
                      + " in "
                      + target
                      + ", which was not made for job "
                      + job.jobId()
                      + "; change imageName in targets.yaml");
            });
  }

  /**
   * Whether {@code image} is the job's: its job ID, source instance and run tags are the job's, and
   * the job's account owns it. It is in the job's region, as every look-up is made there.
   */
  static boolean madeFor(ImageInfo image, JobMessage job, Ec2Target target) {
    Map<String, String> tags = image.tags();
    return job.jobId().equals(tags.get(Tags.JOB_ID))
        && job.instanceId().equals(tags.get(Tags.SOURCE_INSTANCE))
        && job.runId().equals(tags.get(Tags.RUN_ID))
        && target.accountId().equals(image.ownerId());
  }

  /** Completes after {@code pause}, on the timer; holds no thread meanwhile. */
  private CompletableFuture<Void> after(Duration pause) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    timer.schedule(() -> done.complete(null), pause.toMillis(), TimeUnit.MILLISECONDS);
    return done;
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
