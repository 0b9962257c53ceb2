package io.amifleet.worker.prune;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.config.ImageNameTemplate;
import io.amifleet.common.config.Retention;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.log.JobMdc;
import io.amifleet.common.message.JobIds;
import io.amifleet.common.message.PruneSummary;
import io.amifleet.common.message.Tags;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.image.ImageDescription;
import io.amifleet.worker.image.ImageInfo;
import io.amifleet.worker.image.ImageService;
import io.amifleet.worker.image.ImageService.SnapshotInfo;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a retention policy in one account+region: per instance, amifleet's available images
 * beyond the policy are deregistered, and then, once the deregistration succeeded, their snapshots
 * deleted. A snapshot that another image still uses is left and reported. Snapshots amifleet made
 * whose image no longer exists (a crash between the two steps, an image deregistered by hand) are
 * deleted too.
 *
 * <p>Everything is decided first, in one {@link Plan}; the dry run prints that plan and the real
 * run carries it out, so the two list the same images and snapshots.
 *
 * <p>Only what amifleet made is ever touched, and tags alone do not prove that, as anyone can copy
 * them. An image is amifleet's when the account owns it, it is tagged {@code amifleet:managed=true}
 * with a job ID, run ID and source instance, its job ID is the one those give ({@link JobIds}) in
 * this account and region, its description is the one amifleet writes ({@code amifleet job J of run
 * R}), and its name is one amifleet could have given the job: it holds the short job ID, or the
 * source instance and the run ID (what an image name template must have). A snapshot with no image
 * left is amifleet's when its tags pass the same job ID check and its description is the one
 * CreateImage writes for the source instance ({@code Created by CreateImage(i-...) for ami-...}).
 * Everything else stays, whatever its tags. Stateless; thread-safe.
 */
public final class Pruner {
  private static final Logger log = LoggerFactory.getLogger(Pruner.class);

  private final ImageService images;
  private final Clock clock;

  /**
   * What one prune does, decided before anything is done.
   *
   * @param images amifleet's images past the policy, deregistered in this order
   * @param snapshotsAfter per image of {@code images} (by ID), the snapshots deleted once it is
   *     deregistered; a snapshot several of them use is listed under the last of them
   * @param orphans snapshots amifleet made whose image is gone, deleted after the images
   * @param keptSnapshots snapshots of {@code images} that stay, each with why
   * @param keep amifleet's images the policy keeps
   */
  public record Plan(
      List<ImageInfo> images,
      Map<String, List<String>> snapshotsAfter,
      List<String> orphans,
      List<String> keptSnapshots,
      int keep) {
    public Plan {
      images = List.copyOf(images);
      Map<String, List<String>> copy = new LinkedHashMap<>();
      snapshotsAfter.forEach((image, snapshots) -> copy.put(image, List.copyOf(snapshots)));
      snapshotsAfter = Collections.unmodifiableMap(copy);
      orphans = List.copyOf(orphans);
      keptSnapshots = List.copyOf(keptSnapshots);
    }

    /** Every snapshot the plan deletes, in the order it deletes them. */
    public List<String> snapshots() {
      List<String> all = new ArrayList<>();
      images.forEach(i -> all.addAll(snapshotsAfter.getOrDefault(i.imageId(), List.of())));
      all.addAll(orphans);
      return all;
    }
  }

  @Inject
  public Pruner(ImageService images, Clock clock) {
    this.images = requireNonNull(images, "images is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** True when amifleet made this image of {@code accountId} in {@code region}. */
  public static boolean madeByAmifleet(ImageInfo image, String accountId, String region) {
    Map<String, String> tags = image.tags();
    String job = tags.get(Tags.JOB_ID);
    String run = tags.get(Tags.RUN_ID);
    String instance = tags.get(Tags.SOURCE_INSTANCE);
    return "true".equals(tags.get(Tags.MANAGED))
        && job != null
        && run != null
        && instance != null
        && accountId.equals(image.ownerId())
        && ImageDescription.job(image.description())
            .equals(Optional.of(new ImageDescription.Job(job, run)))
        && job.equals(JobIds.jobId(run, accountId, region, instance))
        && nameFitsJob(image.name(), job, run, instance);
  }

  /**
   * True when {@code image} is a disaster-recovery copy amifleet made in {@code accountId} (a DR
   * region of the source account, or a vault): tagged as amifleet's with the source account and
   * region whose job ID its tags give, the image it copies, amifleet's description and a name that
   * fits the job. Such copies are never {@link #madeByAmifleet} there (their job ID is the source
   * account+region's), so the two retentions never touch each other's images.
   */
  public static boolean copyMadeByAmifleet(ImageInfo image, String accountId) {
    Map<String, String> tags = image.tags();
    String job = tags.get(Tags.JOB_ID);
    String run = tags.get(Tags.RUN_ID);
    String instance = tags.get(Tags.SOURCE_INSTANCE);
    String sourceAccount = tags.get(Tags.SOURCE_ACCOUNT);
    String sourceRegion = tags.get(Tags.SOURCE_REGION);
    return "true".equals(tags.get(Tags.MANAGED))
        && job != null
        && run != null
        && instance != null
        && sourceAccount != null
        && sourceRegion != null
        && tags.get(Tags.COPY_OF) != null
        && accountId.equals(image.ownerId())
        && ImageDescription.job(image.description())
            .equals(Optional.of(new ImageDescription.Job(job, run)))
        && job.equals(JobIds.jobId(run, sourceAccount, sourceRegion, instance))
        && nameFitsJob(image.name(), job, run, instance);
  }

  /**
   * Whether {@code name} could be the name amifleet gave job {@code job}: every image name template
   * has the short job ID (in {@code {shortJobId}} or {@code {jobId}}), or the instance and run IDs.
   */
  static boolean nameFitsJob(String name, String job, String run, String instance) {
    return name != null
        && (name.contains(JobIds.shortJobId(job))
            || (name.contains(instance) && name.contains(ImageNameTemplate.clean(run))));
  }

  /**
   * True when amifleet made {@code snapshot}, whose image is gone (not among {@code imageIds}), in
   * {@code accountId} and {@code region}.
   */
  public static boolean orphanOfAmifleet(
      SnapshotInfo snapshot, String accountId, String region, Set<String> imageIds) {
    Map<String, String> tags = snapshot.tags();
    String job = tags.get(Tags.JOB_ID);
    String run = tags.get(Tags.RUN_ID);
    String instance = tags.get(Tags.SOURCE_INSTANCE);
    if (!"true".equals(tags.get(Tags.MANAGED))
        || job == null
        || run == null
        || instance == null
        || !job.equals(JobIds.jobId(run, accountId, region, instance))) {
      return false;
    }
    return ImageDescription.createdBy(snapshot.description())
        .filter(c -> c.instanceId().equals(instance) && !imageIds.contains(c.imageId()))
        .isPresent();
  }

  /** Plans without changing anything. */
  public CompletableFuture<Plan> plan(Ec2Target target, Retention retention) {
    return plan(target, retention, false);
  }

  /**
   * Plans without changing anything; {@code copies}: for the disaster-recovery copies in the
   * target's account+region ({@link #copyMadeByAmifleet}) instead of amifleet's images.
   */
  public CompletableFuture<Plan> plan(Ec2Target target, Retention retention, boolean copies) {
    return images
        .ownedImages(target)
        .thenCombine(
            images.managedSnapshots(target),
            (owned, managed) ->
                plan(
                    owned,
                    managed,
                    retention,
                    clock.instant(),
                    target.accountId(),
                    target.region(),
                    copies));
  }

  static Plan plan(
      List<ImageInfo> all,
      List<SnapshotInfo> managed,
      Retention retention,
      Instant now,
      String accountId,
      String region) {
    return plan(all, managed, retention, now, accountId, region, false);
  }

  static Plan plan(
      List<ImageInfo> all,
      List<SnapshotInfo> managed,
      Retention retention,
      Instant now,
      String accountId,
      String region,
      boolean copies) {
    Map<String, Set<String>> usedBy = new HashMap<>();
    Set<String> imageIds = new HashSet<>();
    for (ImageInfo image : all) {
      imageIds.add(image.imageId());
      for (String snapshot : image.snapshotIds()) {
        usedBy.computeIfAbsent(snapshot, k -> new HashSet<>()).add(image.imageId());
      }
    }
    Map<String, List<ImageInfo>> byInstance = new LinkedHashMap<>();
    for (ImageInfo image : all) {
      if (image.available()
          && image.creationDate() != null
          && (copies
              ? copyMadeByAmifleet(image, accountId)
              : madeByAmifleet(image, accountId, region))) {
        byInstance
            .computeIfAbsent(image.tags().get(Tags.SOURCE_INSTANCE), k -> new ArrayList<>())
            .add(image);
      }
    }
    List<ImageInfo> delete = new ArrayList<>();
    int keep = 0;
    for (List<ImageInfo> images : byInstance.values()) {
      images.sort(
          Comparator.comparing((ImageInfo i) -> Instant.parse(i.creationDate()))
              .reversed()
              .thenComparing(ImageInfo::imageId));
      for (int rank = 0; rank < images.size(); rank++) {
        ImageInfo image = images.get(rank);
        if (retention.expired(rank, Instant.parse(image.creationDate()), now)) {
          delete.add(image);
        } else {
          keep++;
        }
      }
    }

    Set<String> deleted = new HashSet<>();
    delete.forEach(i -> deleted.add(i.imageId()));
    // A snapshot goes with the last of the deleted images that use it; one that an image staying
    // uses is left, and said.
    Map<String, String> lastUser = new LinkedHashMap<>();
    Set<String> kept = new LinkedHashSet<>();
    for (ImageInfo image : delete) {
      for (String snapshot : image.snapshotIds()) {
        Set<String> staying = new HashSet<>(usedBy.getOrDefault(snapshot, Set.of()));
        staying.removeAll(deleted);
        if (staying.isEmpty()) {
          lastUser.remove(snapshot);
          lastUser.put(snapshot, image.imageId());
        } else {
          kept.add(snapshot + ": in use by " + staying.stream().sorted().toList());
        }
      }
    }
    Map<String, List<String>> snapshotsAfter = new LinkedHashMap<>();
    for (ImageInfo image : delete) {
      for (String snapshot : image.snapshotIds()) {
        if (image.imageId().equals(lastUser.get(snapshot))) {
          List<String> mine =
              snapshotsAfter.computeIfAbsent(image.imageId(), k -> new ArrayList<>());
          if (!mine.contains(snapshot)) {
            mine.add(snapshot);
          }
        }
      }
    }
    List<String> orphans = new ArrayList<>();
    for (SnapshotInfo s : copies ? List.<SnapshotInfo>of() : managed) {
      if (!usedBy.containsKey(s.snapshotId()) && orphanOfAmifleet(s, accountId, region, imageIds)) {
        orphans.add(s.snapshotId());
      }
    }
    return new Plan(delete, snapshotsAfter, orphans, List.copyOf(kept), keep);
  }

  /** Plans and carries the plan out; the summary says what went and what was left, and why. */
  public CompletableFuture<PruneSummary> prune(Ec2Target target, Retention retention) {
    return prune(target, retention, false);
  }

  /** As {@link #prune(Ec2Target, Retention)}, for the copies in the target when {@code copies}. */
  public CompletableFuture<PruneSummary> prune(
      Ec2Target target, Retention retention, boolean copies) {
    return plan(target, retention, copies).thenCompose(plan -> execute(target, plan));
  }

  /**
   * Deregisters the plan's images one by one, each followed by its snapshots, then deletes the
   * orphans. A failed deregistration fails the prune (that image and the rest stay for the next
   * one); a snapshot that cannot be deleted is reported and left.
   */
  private CompletableFuture<PruneSummary> execute(Ec2Target target, Plan plan) {
    Progress progress = new Progress(plan.keptSnapshots());
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (ImageInfo image : plan.images()) {
      chain =
          chain
              .thenCompose(x -> images.deregister(target, image.imageId()))
              .thenCompose(
                  x -> {
                    JobMdc.with(
                        target.accountId(),
                        target.region(),
                        () ->
                            log.info(
                                "retention in {}: deregistered {} ({})",
                                target,
                                image.imageId(),
                                image.name()));
                    progress.deregistered(image.imageId());
                    return deleteSnapshots(
                        target,
                        plan.snapshotsAfter().getOrDefault(image.imageId(), List.of()),
                        progress);
                  });
    }
    return chain
        .thenCompose(x -> deleteSnapshots(target, plan.orphans(), progress))
        .thenApply(x -> progress.summary(plan.keep()));
  }

  private CompletableFuture<Void> deleteSnapshots(
      Ec2Target target, List<String> snapshots, Progress progress) {
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (String snapshot : snapshots) {
      chain = chain.thenCompose(x -> deleteSnapshot(target, snapshot, progress));
    }
    return chain;
  }

  private CompletableFuture<Void> deleteSnapshot(
      Ec2Target target, String snapshot, Progress progress) {
    return images
        .deleteSnapshot(target, snapshot)
        .handle(
            (ok, e) -> {
              String code = e == null ? null : AwsErrors.errorCodeOf(e);
              if (e == null || "InvalidSnapshot.NotFound".equals(code)) {
                progress.deleted(snapshot);
              } else if ("InvalidSnapshot.InUse".equals(code)) {
                progress.kept(snapshot + ": in use (" + AwsErrors.unwrap(e).getMessage() + ")");
              } else {
                // The image is gone; this snapshot is amifleet's and unused, so the next prune
                // deletes it. Reported now, not thrown: the job itself did its work.
                progress.kept(
                    snapshot
                        + ": not deleted, the next prune retries: "
                        + AwsErrors.translate(e, "DeleteSnapshot").getMessage());
              }
              return null;
            });
  }

  /** What one prune did so far. Thread-safe. */
  private static final class Progress {
    private final List<String> deletedImages = new ArrayList<>();
    private final List<String> deletedSnapshots = new ArrayList<>();
    private final List<String> keptSnapshots;

    Progress(List<String> keptByPlan) {
      keptSnapshots = new ArrayList<>(keptByPlan);
    }

    synchronized void deregistered(String imageId) {
      deletedImages.add(imageId);
    }

    synchronized void deleted(String snapshot) {
      deletedSnapshots.add(snapshot);
    }

    synchronized void kept(String why) {
      keptSnapshots.add(why);
    }

    synchronized PruneSummary summary(int keep) {
      return new PruneSummary(deletedImages, deletedSnapshots, keptSnapshots, keep);
    }
  }
}
