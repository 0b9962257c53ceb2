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
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
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
  private final ImageUsage usage;
  private final Clock clock;

  /** What the plan does with one of amifleet's images. */
  public enum Action {
    /** Deregistered, then its snapshots deleted. */
    DELETE,
    /** Deprecated now (EnableImageDeprecation) and kept. */
    DEPRECATE,
    /** Left as it is. */
    KEEP
  }

  /**
   * The plan for one of amifleet's images.
   *
   * @param instanceId the instance it is an image of
   * @param pastPolicy whether the policy lets it go (it may still stay: in use, deprecated too
   *     recently, a check that could not run)
   * @param why the reasons, in order: the policy's, then each use found or check that could not run
   * @param bytesFreed for an image deleted, the bytes of the snapshots deleted with it (their
   *     volume sizes); null when some size is not known, 0 for an image kept
   */
  public record Decision(
      String instanceId,
      ImageInfo image,
      Action action,
      boolean pastPolicy,
      List<String> why,
      Long bytesFreed) {
    public Decision {
      requireNonNull(image, "image is null");
      requireNonNull(action, "action is null");
      why = List.copyOf(why);
    }
  }

  /**
   * What one prune does, decided before anything is done.
   *
   * @param images amifleet's images past the policy, deregistered in this order
   * @param snapshotsAfter per image of {@code images} (by ID), the snapshots deleted once it is
   *     deregistered; a snapshot several of them use is listed under the last of them
   * @param orphans snapshots amifleet made whose image is gone, deleted after the images
   * @param keptSnapshots snapshots of {@code images} that stay, each with why
   * @param keep amifleet's images that stay
   * @param decisions every one of amifleet's images, per instance, with what happens to it and why
   * @param deprecateAt when the images the plan deprecates become deprecated
   * @param usage what the usage checks found, which could not run, and their cost
   */
  public record Plan(
      List<ImageInfo> images,
      Map<String, List<String>> snapshotsAfter,
      List<String> orphans,
      List<String> keptSnapshots,
      int keep,
      List<Decision> decisions,
      Instant deprecateAt,
      ImageUsage.Report usage) {
    public Plan {
      images = List.copyOf(images);
      Map<String, List<String>> copy = new LinkedHashMap<>();
      snapshotsAfter.forEach((image, snapshots) -> copy.put(image, List.copyOf(snapshots)));
      snapshotsAfter = Collections.unmodifiableMap(copy);
      orphans = List.copyOf(orphans);
      keptSnapshots = List.copyOf(keptSnapshots);
      decisions = List.copyOf(decisions);
      requireNonNull(deprecateAt, "deprecateAt is null");
      requireNonNull(usage, "usage is null");
    }

    /** Every snapshot the plan deletes, in the order it deletes them. */
    public List<String> snapshots() {
      List<String> all = new ArrayList<>();
      images.forEach(i -> all.addAll(snapshotsAfter.getOrDefault(i.imageId(), List.of())));
      all.addAll(orphans);
      return all;
    }

    /** The images the plan deprecates. */
    public List<String> deprecations() {
      return decisions.stream()
          .filter(d -> d.action() == Action.DEPRECATE)
          .map(d -> d.image().imageId())
          .toList();
    }

    /** Images past the policy that stay, each with why ("ami-1: in use by instance i-2"). */
    public List<String> keptWhy() {
      return decisions.stream()
          .filter(d -> d.action() != Action.DELETE && d.pastPolicy())
          .map(d -> d.image().imageId() + ": " + String.join("; ", d.why()))
          .toList();
    }

    /** The bytes the deletions free, where known (snapshots of unknown size count 0). */
    public long bytesFreed() {
      return decisions.stream()
          .map(Decision::bytesFreed)
          .filter(b -> b != null)
          .mapToLong(Long::longValue)
          .sum();
    }
  }

  @Inject
  public Pruner(ImageService images, ImageUsage usage, Clock clock) {
    this.images = requireNonNull(images, "images is null");
    this.usage = requireNonNull(usage, "usage is null");
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

  /**
   * Plans without changing anything: the policy picks the images that may go, the usage checks
   * ({@link ImageUsage}) prove each of them unused, or keep it.
   */
  public CompletableFuture<Plan> plan(Ec2Target target, Retention retention) {
    return plan(target, retention, false);
  }

  /**
   * As {@link #plan(Ec2Target, Retention)}; {@code copies}: for the disaster-recovery copies in the
   * target's account+region ({@link #copyMadeByAmifleet}) instead of amifleet's images. Copies get
   * the same usage checks: a launch template in the DR region may name one.
   */
  public CompletableFuture<Plan> plan(Ec2Target target, Retention retention, boolean copies) {
    Instant now = clock.instant();
    return images
        .ownedImages(target)
        .thenCombine(images.managedSnapshots(target), Owned::new)
        .thenCompose(
            owned -> {
              Set<String> candidates =
                  pastPolicy(
                      owned.images(), retention, now, target.accountId(), target.region(), copies);
              return usage
                  .check(target, candidates, retention)
                  .thenApply(
                      report ->
                          plan(
                              owned.images(),
                              owned.snapshots(),
                              retention,
                              now,
                              target.accountId(),
                              target.region(),
                              copies,
                              report));
            });
  }

  private record Owned(List<ImageInfo> images, List<SnapshotInfo> snapshots) {}

  /** amifleet's images of {@code all} that are past the policy at {@code now}. */
  static Set<String> pastPolicy(
      List<ImageInfo> all,
      Retention retention,
      Instant now,
      String accountId,
      String region,
      boolean copies) {
    Set<String> past = new LinkedHashSet<>();
    for (List<ImageInfo> images : byInstance(all, accountId, region, copies).values()) {
      for (int rank = 0; rank < images.size(); rank++) {
        ImageInfo image = images.get(rank);
        if (retention.expired(rank, Instant.parse(image.creationDate()), now)) {
          past.add(image.imageId());
        }
      }
    }
    return past;
  }

  /**
   * amifleet's available images (or, {@code copies}, its copies) of {@code all} by source instance,
   * newest first.
   */
  private static Map<String, List<ImageInfo>> byInstance(
      List<ImageInfo> all, String accountId, String region, boolean copies) {
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
    for (List<ImageInfo> images : byInstance.values()) {
      images.sort(
          Comparator.comparing((ImageInfo i) -> Instant.parse(i.creationDate()))
              .reversed()
              .thenComparing(ImageInfo::imageId));
    }
    return byInstance;
  }

  /** The plan when every image past the policy was proved unused (for tests of the policy). */
  static Plan plan(
      List<ImageInfo> all,
      List<SnapshotInfo> managed,
      Retention retention,
      Instant now,
      String accountId,
      String region) {
    return plan(all, managed, retention, now, accountId, region, false);
  }

  /** As above; {@code copies}: for amifleet's copies (for tests of the policy). */
  static Plan plan(
      List<ImageInfo> all,
      List<SnapshotInfo> managed,
      Retention retention,
      Instant now,
      String accountId,
      String region,
      boolean copies) {
    return plan(
        all,
        managed,
        retention,
        now,
        accountId,
        region,
        copies,
        ImageUsage.Report.nothingToCheck());
  }

  static Plan plan(
      List<ImageInfo> all,
      List<SnapshotInfo> managed,
      Retention retention,
      Instant now,
      String accountId,
      String region,
      boolean copies,
      ImageUsage.Report usage) {
    Map<String, Set<String>> usedBy = new HashMap<>();
    Set<String> imageIds = new HashSet<>();
    for (ImageInfo image : all) {
      imageIds.add(image.imageId());
      for (String snapshot : image.snapshotIds()) {
        usedBy.computeIfAbsent(snapshot, k -> new HashSet<>()).add(image.imageId());
      }
    }
    // EC2 refuses a deprecation time in the past and rounds to the minute
    // (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableImageDeprecation.html):
    // the next whole minute.
    Instant deprecateAt = now.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
    List<ImageInfo> delete = new ArrayList<>();
    List<Decision> decisions = new ArrayList<>();
    int keep = 0;
    for (Map.Entry<String, List<ImageInfo>> e :
        byInstance(all, accountId, region, copies).entrySet()) {
      List<ImageInfo> images = e.getValue();
      for (int rank = 0; rank < images.size(); rank++) {
        ImageInfo image = images.get(rank);
        Instant created = Instant.parse(image.creationDate());
        Instant deprecated = deprecationTime(image, now);
        List<String> why = new ArrayList<>();
        why.add(retention.why(rank, created, now));
        Action action;
        boolean past = retention.expired(rank, created, now);
        if (!past) {
          action = Action.KEEP;
          if (deprecated == null && retention.deprecates(created, now)) {
            action = Action.DEPRECATE;
            why.add("older than deprecateAfter: deprecated from " + deprecateAt);
          }
        } else {
          List<String> holds = usage.keeps(image.imageId());
          if (retention.twoPhase() && deprecated == null) {
            action = Action.DEPRECATE;
            why.add(
                "deprecated from "
                    + deprecateAt
                    + ", deregistered from "
                    + retention.deletableFrom(deprecateAt)
                    + " if unused");
          } else if (retention.twoPhase() && retention.deletableFrom(deprecated).isAfter(now)) {
            action = Action.KEEP;
            why.add(
                "deprecated at "
                    + deprecated
                    + ", deregistered from "
                    + retention.deletableFrom(deprecated)
                    + " if unused");
          } else {
            if (deprecated != null) {
              why.add("deprecated at " + deprecated);
            }
            if (!holds.isEmpty()) {
              action =
                  deprecated == null && retention.deprecates(created, now)
                      ? Action.DEPRECATE
                      : Action.KEEP;
            } else {
              action = Action.DELETE;
            }
          }
          why.addAll(holds);
        }
        if (action == Action.DELETE) {
          delete.add(image);
        } else {
          keep++;
        }
        decisions.add(new Decision(e.getKey(), image, action, past, why, 0L));
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
    Map<String, Integer> sizes = new HashMap<>();
    for (SnapshotInfo s : managed) {
      if (s.volumeSizeGib() != null) {
        sizes.put(s.snapshotId(), s.volumeSizeGib());
      }
      // Orphaned snapshots are the image retention's to clear; a copies' retention leaves them.
      if (!copies
          && !usedBy.containsKey(s.snapshotId())
          && orphanOfAmifleet(s, accountId, region, imageIds)) {
        orphans.add(s.snapshotId());
      }
    }
    // The bytes each deletion frees: the volume sizes of its snapshots (GiB, as DescribeSnapshots
    // gives them); unknown when one is not among amifleet's tagged snapshots.
    List<Decision> sized = new ArrayList<>();
    for (Decision d : decisions) {
      if (d.action() != Action.DELETE) {
        sized.add(d);
        continue;
      }
      Long bytes = 0L;
      for (String snapshot : snapshotsAfter.getOrDefault(d.image().imageId(), List.of())) {
        Integer gib = sizes.get(snapshot);
        bytes = bytes == null || gib == null ? null : bytes + gib * GIB;
      }
      sized.add(
          new Decision(d.instanceId(), d.image(), d.action(), d.pastPolicy(), d.why(), bytes));
    }
    return new Plan(
        delete, snapshotsAfter, orphans, List.copyOf(kept), keep, sized, deprecateAt, usage);
  }

  private static final long GIB = 1L << 30;

  /** When the image is deprecated, as DescribeImages says; null when it is not. */
  private static Instant deprecationTime(ImageInfo image, Instant now) {
    if (image.deprecationTime() == null || image.deprecationTime().isBlank()) {
      return null;
    }
    try {
      return Instant.parse(image.deprecationTime());
    } catch (DateTimeParseException e) {
      // Not a time we can read: counted as deprecated now, so that the wait before deletion
      // starts afresh rather than being skipped.
      return now;
    }
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
    Progress progress = new Progress(plan);
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    // Deprecations first: they delete nothing, and a failed one is said and left for the next
    // prune (the image stays, and is not deleted before it has been deprecated long enough).
    for (String image : plan.deprecations()) {
      chain =
          chain.thenCompose(
              x ->
                  images
                      .deprecate(target, image, plan.deprecateAt())
                      .handle(
                          (ok, e) -> {
                            if (e == null) {
                              progress.deprecated(image);
                            } else {
                              progress.note(
                                  image
                                      + ": not deprecated, the next prune retries: "
                                      + AwsErrors.translate(e, "EnableImageDeprecation")
                                          .getMessage());
                            }
                            return null;
                          }));
    }
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
    private final Plan plan;
    private final List<String> deletedImages = new ArrayList<>();
    private final List<String> deletedSnapshots = new ArrayList<>();
    private final List<String> deprecatedImages = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<String> keptSnapshots;

    Progress(Plan plan) {
      this.plan = plan;
      keptSnapshots = new ArrayList<>(plan.keptSnapshots());
      notes.addAll(plan.usage().notes());
    }

    synchronized void deprecated(String imageId) {
      deprecatedImages.add(imageId);
    }

    synchronized void note(String note) {
      notes.add(note);
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
      return new PruneSummary(
          deletedImages,
          deletedSnapshots,
          keptSnapshots,
          keep,
          deprecatedImages,
          plan.keptWhy(),
          plan.usage().notRun(),
          plan.usage().calls(),
          notes);
    }
  }
}
