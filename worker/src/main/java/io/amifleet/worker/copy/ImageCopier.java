package io.amifleet.worker.copy;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.aws.RoleKey;
import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.error.ErrorCodes;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.log.JobMdc;
import io.amifleet.common.message.CopyRequest;
import io.amifleet.common.message.CopyResult;
import io.amifleet.common.message.Identifiers;
import io.amifleet.common.message.JobIds;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.Tags;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.image.ImageAvailability;
import io.amifleet.worker.image.ImageDescription;
import io.amifleet.worker.image.ImageException;
import io.amifleet.worker.image.ImageInfo;
import io.amifleet.worker.image.ImageService;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure a job's image has its copy in one destination, once: adopts the copy an earlier
 * attempt or run made (found by the job's tags and the source image it copies, in the destination),
 * or calls CopyImage with a client token derived from the job and the destination, so that a retry
 * after a lost answer or a crash right after the call gets the same copy even before DescribeImages
 * shows it. Then waits, holding no thread, until the copy is available.
 *
 * <p>A copy that failed is left (EC2 keeps a failed image for a while, and its client token would
 * give it back): the next copy gets a token and name of its own, counted by the failed copies there
 * are. Never throws: the {@link Outcome} carries the copy's result and, when it did not end
 * available, the error. Thread-safe.
 */
public final class ImageCopier {
  private static final Logger log = LoggerFactory.getLogger(ImageCopier.class);

  private final ImageService images;
  private final CopyService copies;
  private final ImageAvailability availability;
  private final CopySlots slots;

  /** What became of one copy: its result, and the error when it did not end available. */
  public record Outcome(CopyResult result, Optional<AmiFleetException> error) {
    public Outcome {
      requireNonNull(result, "result is null");
      requireNonNull(error, "error is null");
    }
  }

  public ImageCopier(
      ImageService images, CopyService copies, ImageAvailability availability, CopySlots slots) {
    this.images = requireNonNull(images, "images is null");
    this.copies = requireNonNull(copies, "copies is null");
    this.availability = requireNonNull(availability, "availability is null");
    this.slots = requireNonNull(slots, "slots is null");
  }

  /** Where a copy is made and with which role: the job's own, or the vault's. */
  public static Ec2Target destination(Ec2Target source, CopyRequest copy) {
    RoleKey role = copy.vault() ? RoleKey.of(copy.roleArn(), copy.externalId()) : source.role();
    return new Ec2Target(role, copy.accountId(), copy.region());
  }

  /**
   * The copy of {@code image} (the job's available image) into {@code copy}'s destination,
   * available by {@code deadline}. {@code releasable} marks the wait as one the job's release
   * abandons.
   */
  public CompletableFuture<Outcome> copy(
      Ec2Target source,
      JobMessage job,
      ImageInfo image,
      CopyRequest copy,
      Instant deadline,
      UnaryOperator<CompletableFuture<ImageInfo>> releasable) {
    Ec2Target destination = destination(source, copy);
    AtomicReference<String> copyId = new AtomicReference<>();
    AtomicReference<Boolean> adopted = new AtomicReference<>();
    CompletableFuture<ImageInfo> done =
        images
            .ready(destination)
            .thenCompose(x -> images.findByJobIds(destination, List.of(job.jobId())))
            .thenCompose(
                found -> {
                  List<ImageInfo> mine =
                      found.stream().filter(i -> copyOf(i, job, image, destination)).toList();
                  Optional<ImageInfo> usable =
                      mine.stream()
                          .filter(i -> i.available() || i.pending())
                          .min(Comparator.comparing((ImageInfo i) -> !i.available()));
                  if (usable.isPresent()) {
                    copyId.set(usable.get().imageId());
                    adopted.set(true);
                    JobMdc.with(
                        job,
                        () ->
                            log.info(
                                "job {}: adopting copy {} ({}) in {}",
                                job.jobId(),
                                usable.get().imageId(),
                                usable.get().state(),
                                destination));
                    return releasable.apply(
                        availability.await(destination, usable.get().imageId(), deadline));
                  }
                  int failedBefore = (int) mine.stream().filter(ImageInfo::broken).count();
                  return slots
                      .acquire(destination.accountRegion())
                      .thenCompose(
                          slot ->
                              copies
                                  .copyImage(destination, call(job, image, copy, failedBefore))
                                  .thenCompose(
                                      id -> {
                                        copyId.set(id);
                                        adopted.set(false);
                                        JobMdc.with(
                                            job,
                                            () ->
                                                log.info(
                                                    "job {}: copying {} to {} as {}",
                                                    job.jobId(),
                                                    image.imageId(),
                                                    destination,
                                                    id));
                                        return releasable.apply(
                                            availability.await(destination, id, deadline));
                                      })
                                  .whenComplete((i, e) -> slot.release()));
                });
    return done.handle(
        (available, error) -> {
          if (error == null) {
            return new Outcome(
                new CopyResult(
                    copy.accountId(),
                    copy.region(),
                    available.imageId(),
                    "available",
                    adopted.get()),
                Optional.empty());
          }
          AmiFleetException failure = failure(error, copy, destination);
          String state;
          if (copyId.get() == null) {
            state = "not-made";
          } else if (AwsErrors.unwrap(error) instanceof ImageException i
              && ErrorCodes.IMAGE_FAILED.equals(i.errorCode())) {
            state = "failed";
          } else {
            state = "pending";
          }
          return new Outcome(
              new CopyResult(copy.accountId(), copy.region(), copyId.get(), state, adopted.get()),
              Optional.of(failure));
        });
  }

  /**
   * The error a copy ends with: a retryable one as it is (the job is retried, and adopts the copy);
   * a failed copy, or CopyImage refused, as {@code CopyFailed}, or {@code KmsAccessDenied} when the
   * key is the reason; a copy still pending at the deadline as TIMED_OUT.
   */
  static AmiFleetException failure(Throwable error, CopyRequest copy, Ec2Target destination) {
    Throwable cause = AwsErrors.unwrap(error);
    AmiFleetException e =
        cause instanceof AmiFleetException a
            ? a
            : AwsErrors.translate(error, "copy to " + destination);
    if (e.retryable() || ErrorCodes.IMAGE_TIMED_OUT.equals(e.errorCode())) {
      return e;
    }
    String what = "copy to " + copy.destination() + ": " + e.getMessage();
    String code = kmsProblem(e) ? ErrorCodes.KMS_ACCESS_DENIED : ErrorCodes.COPY_FAILED;
    return new AmiFleetException(ErrorKind.PERMANENT, code, what, e);
  }

  /**
   * Whether the KMS key is why the copy failed: EC2 answers "Given key ID is not accessible" (in a
   * failed copy's state reason, or to CopyImage), or a KMS error code.
   */
  static boolean kmsProblem(AmiFleetException e) {
    String text = (e.errorCode() + " " + e.getMessage()).toLowerCase(Locale.ROOT);
    return text.contains("kms") || text.contains("key id is not accessible");
  }

  /** Whether {@code image} is the job's copy of {@code source}, made in {@code destination}. */
  static boolean copyOf(ImageInfo image, JobMessage job, ImageInfo source, Ec2Target destination) {
    Map<String, String> tags = image.tags();
    return job.jobId().equals(tags.get(Tags.JOB_ID))
        && job.runId().equals(tags.get(Tags.RUN_ID))
        && job.instanceId().equals(tags.get(Tags.SOURCE_INSTANCE))
        && source.imageId().equals(tags.get(Tags.COPY_OF))
        && destination.accountId().equals(image.ownerId());
  }

  private static CopyService.CopyCall call(
      JobMessage job, ImageInfo image, CopyRequest copy, int failedBefore) {
    String token = JobIds.copyToken(job.jobId(), copy.accountId(), copy.region());
    String name = image.name() == null ? job.imageName() : image.name();
    if (failedBefore > 0) {
      // The failed copies keep their name and token: this one needs its own.
      token = JobIds.copyToken(token, copy.accountId(), "attempt-" + failedBefore);
      String suffix = " retry " + failedBefore;
      name = name.substring(0, Math.min(name.length(), 128 - suffix.length())) + suffix;
    }
    return new CopyService.CopyCall(
        image.imageId(),
        job.region(),
        name,
        ImageDescription.of(job.jobId(), job.runId()),
        token,
        Optional.ofNullable(copy.kmsKeyId()),
        tags(job, image));
  }

  /**
   * A copy's tags: amifleet's own (those of the source, and where it is a copy of), then the
   * source's other tags, up to EC2's 50.
   */
  static Map<String, String> tags(JobMessage job, ImageInfo image) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(Tags.JOB_ID, job.jobId());
    tags.put(Tags.RUN_ID, job.runId());
    tags.put(Tags.SOURCE_INSTANCE, job.instanceId());
    tags.put(Tags.MANAGED, "true");
    tags.put(Tags.COPY_OF, image.imageId());
    tags.put(Tags.SOURCE_ACCOUNT, job.accountId());
    tags.put(Tags.SOURCE_REGION, job.region());
    String consistency = image.tags().get(Tags.CONSISTENCY);
    if (consistency != null) {
      // a copy is as consistent as its source (hooks ran, or not, when the source was made)
      tags.put(Tags.CONSISTENCY, consistency);
    }
    for (Map.Entry<String, String> e : image.tags().entrySet()) {
      if (tags.size() >= Identifiers.MAX_TAGS) {
        break;
      }
      if (!Tags.isReserved(e.getKey())) {
        tags.putIfAbsent(e.getKey(), e.getValue());
      }
    }
    return tags;
  }
}
