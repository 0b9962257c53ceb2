package io.amifleet.worker.prune;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.config.Retention;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.log.JobMdc;
import io.amifleet.common.message.PruneSummary;
import io.amifleet.common.message.Tags;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.image.ImageInfo;
import io.amifleet.worker.image.ImageService;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a retention policy in one account+region: per instance, amifleet's available images
 * beyond the policy are deregistered, and then, once the deregistration succeeded, their snapshots
 * deleted. A snapshot that another image still uses is left and reported. Snapshots amifleet tagged
 * whose image no longer exists (a crash between the two steps, an image deregistered by hand) are
 * deleted on the next prune.
 *
 * <p>Only images amifleet made are ever touched: owned by the account, tagged {@code
 * amifleet:managed=true} with a job ID, run ID and source instance, and carrying the description
 * amifleet gives them. Other images, whatever their tags, are left alone. Stateless; thread-safe.
 */
public final class Pruner {
  private static final Logger log = LoggerFactory.getLogger(Pruner.class);

  private final ImageService images;
  private final Clock clock;

  /** What goes and what stays, before anything is done. */
  public record Plan(List<ImageInfo> delete, int keep, Map<String, Set<String>> usedBy) {}

  @Inject
  public Pruner(ImageService images, Clock clock) {
    this.images = requireNonNull(images, "images is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** True when amifleet made this image (see the class comment). */
  public static boolean madeByAmifleet(ImageInfo image) {
    Map<String, String> tags = image.tags();
    String job = tags.get(Tags.JOB_ID);
    String run = tags.get(Tags.RUN_ID);
    return "true".equals(tags.get(Tags.MANAGED))
        && job != null
        && run != null
        && tags.get(Tags.SOURCE_INSTANCE) != null
        && ("amifleet job " + job + " of run " + run).equals(image.description());
  }

  /** Plans without changing anything. */
  public CompletableFuture<Plan> plan(Ec2Target target, Retention retention) {
    return images.ownedImages(target).thenApply(all -> plan(all, retention, clock.instant()));
  }

  static Plan plan(List<ImageInfo> all, Retention retention, Instant now) {
    Map<String, Set<String>> usedBy = new HashMap<>();
    for (ImageInfo image : all) {
      for (String snapshot : image.snapshotIds()) {
        usedBy.computeIfAbsent(snapshot, k -> new HashSet<>()).add(image.imageId());
      }
    }
    Map<String, List<ImageInfo>> byInstance = new LinkedHashMap<>();
    for (ImageInfo image : all) {
      if (image.available() && madeByAmifleet(image) && image.creationDate() != null) {
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
    return new Plan(delete, keep, usedBy);
  }

  /** Plans and deletes; the summary says what went and what was left, and why. */
  public CompletableFuture<PruneSummary> prune(Ec2Target target, Retention retention) {
    return plan(target, retention).thenCompose(plan -> execute(target, plan));
  }

  private CompletableFuture<PruneSummary> execute(Ec2Target target, Plan plan) {
    Progress progress = new Progress(plan.delete());
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (ImageInfo image : plan.delete()) {
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
                    CompletableFuture<Void> snapshots = CompletableFuture.completedFuture(null);
                    for (String snapshot : image.snapshotIds()) {
                      snapshots =
                          snapshots.thenCompose(
                              y ->
                                  deleteSnapshot(
                                      target,
                                      snapshot,
                                      plan.usedBy().getOrDefault(snapshot, Set.of()),
                                      progress));
                    }
                    return snapshots;
                  });
    }
    return chain
        .thenCompose(x -> sweepOrphans(target, progress))
        .thenApply(x -> progress.summary(plan.keep()));
  }

  /**
   * What one prune did so far. A snapshot is tried once: when the last of the images of this prune
   * that use it is gone, or by the orphan sweep when no image used it. Thread-safe.
   */
  private static final class Progress {
    private final Set<String> planned = new HashSet<>();
    private final Set<String> gone = new HashSet<>();
    private final Set<String> tried = new HashSet<>();
    private final List<String> deletedImages = new ArrayList<>();
    private final List<String> deletedSnapshots = new ArrayList<>();
    private final List<String> keptSnapshots = new ArrayList<>();

    Progress(List<ImageInfo> delete) {
      delete.forEach(i -> planned.add(i.imageId()));
    }

    synchronized void deregistered(String imageId) {
      gone.add(imageId);
      deletedImages.add(imageId);
    }

    /**
     * Whether to try {@code snapshot} now, given the images that used it; records the decision. No
     * when tried already or when an image of this prune still to go uses it (that image's turn
     * comes); a report when an image that stays uses it.
     */
    synchronized boolean shouldTry(String snapshot, Set<String> users) {
      if (tried.contains(snapshot)) {
        return false;
      }
      Set<String> left = new HashSet<>(users);
      left.removeAll(gone);
      if (!left.isEmpty() && planned.containsAll(left)) {
        return false;
      }
      tried.add(snapshot);
      if (!left.isEmpty()) {
        keptSnapshots.add(snapshot + ": in use by " + left.stream().sorted().toList());
        return false;
      }
      return true;
    }

    synchronized boolean tried(String snapshot) {
      return tried.contains(snapshot);
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

  private CompletableFuture<Void> deleteSnapshot(
      Ec2Target target, String snapshot, Set<String> users, Progress progress) {
    if (!progress.shouldTry(snapshot, users)) {
      return CompletableFuture.completedFuture(null);
    }
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
                // The image is gone; this snapshot is tagged and unused, so the next prune
                // deletes it. Reported now, not thrown: the job itself did its work.
                progress.kept(
                    snapshot
                        + ": not deleted, the next prune retries: "
                        + AwsErrors.translate(e, "DeleteSnapshot").getMessage());
              }
              return null;
            });
  }

  /** Deletes amifleet's tagged snapshots that no image uses any more. */
  private CompletableFuture<Void> sweepOrphans(Ec2Target target, Progress progress) {
    return images
        .managedSnapshots(target)
        .thenCombine(
            images.ownedImages(target),
            (snapshots, owned) -> {
              Set<String> used = new HashSet<>();
              owned.forEach(i -> used.addAll(i.snapshotIds()));
              List<String> orphans = new ArrayList<>();
              for (ImageService.SnapshotInfo s : snapshots) {
                if (!progress.tried(s.snapshotId())
                    && !used.contains(s.snapshotId())
                    && s.tags().get(Tags.JOB_ID) != null
                    && s.tags().get(Tags.SOURCE_INSTANCE) != null) {
                  orphans.add(s.snapshotId());
                }
              }
              return orphans;
            })
        .thenCompose(
            orphans -> {
              CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
              for (String snapshot : orphans) {
                chain =
                    chain.thenCompose(x -> deleteSnapshot(target, snapshot, Set.of(), progress));
              }
              return chain;
            });
  }
}
