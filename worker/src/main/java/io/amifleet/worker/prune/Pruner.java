package io.amifleet.worker.prune;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.config.Retention;
import io.amifleet.common.error.AwsErrors;
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
    List<String> deletedImages = new ArrayList<>();
    List<String> deletedSnapshots = new ArrayList<>();
    List<String> keptSnapshots = new ArrayList<>();
    Set<String> gone = new HashSet<>();
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (ImageInfo image : plan.delete()) {
      chain =
          chain
              .thenCompose(x -> images.deregister(target, image.imageId()))
              .thenCompose(
                  x -> {
                    log.info(
                        "retention in {}: deregistered {} ({})",
                        target,
                        image.imageId(),
                        image.name());
                    synchronized (deletedImages) {
                      deletedImages.add(image.imageId());
                      gone.add(image.imageId());
                    }
                    CompletableFuture<Void> snapshots = CompletableFuture.completedFuture(null);
                    for (String snapshot : image.snapshotIds()) {
                      snapshots =
                          snapshots.thenCompose(
                              y ->
                                  deleteSnapshot(
                                      target,
                                      snapshot,
                                      plan,
                                      gone,
                                      deletedSnapshots,
                                      keptSnapshots));
                    }
                    return snapshots;
                  });
    }
    return chain
        .thenCompose(x -> sweepOrphans(target, deletedSnapshots, keptSnapshots))
        .thenApply(
            x -> new PruneSummary(deletedImages, deletedSnapshots, keptSnapshots, plan.keep()));
  }

  private CompletableFuture<Void> deleteSnapshot(
      Ec2Target target,
      String snapshot,
      Plan plan,
      Set<String> gone,
      List<String> deleted,
      List<String> kept) {
    Set<String> users = new HashSet<>(plan.usedBy().getOrDefault(snapshot, Set.of()));
    synchronized (deleted) {
      users.removeAll(gone);
    }
    if (!users.isEmpty()) {
      synchronized (kept) {
        kept.add(snapshot + ": in use by " + users.stream().sorted().toList());
      }
      return CompletableFuture.completedFuture(null);
    }
    return images
        .deleteSnapshot(target, snapshot)
        .handle(
            (ok, e) -> {
              String code = e == null ? null : AwsErrors.errorCodeOf(e);
              if (e == null || "InvalidSnapshot.NotFound".equals(code)) {
                synchronized (deleted) {
                  deleted.add(snapshot);
                }
              } else if ("InvalidSnapshot.InUse".equals(code)) {
                synchronized (kept) {
                  kept.add(snapshot + ": in use (" + AwsErrors.unwrap(e).getMessage() + ")");
                }
              } else {
                // The image is gone; this snapshot is tagged and unused, so the next prune
                // deletes it. Reported now, not thrown: the job itself did its work.
                synchronized (kept) {
                  kept.add(
                      snapshot
                          + ": not deleted, the next prune retries: "
                          + AwsErrors.translate(e, "DeleteSnapshot").getMessage());
                }
              }
              return null;
            });
  }

  /** Deletes amifleet's tagged snapshots that no image uses any more. */
  private CompletableFuture<Void> sweepOrphans(
      Ec2Target target, List<String> deleted, List<String> kept) {
    return images
        .managedSnapshots(target)
        .thenCombine(
            images.ownedImages(target),
            (snapshots, owned) -> {
              Set<String> used = new HashSet<>();
              owned.forEach(i -> used.addAll(i.snapshotIds()));
              List<String> orphans = new ArrayList<>();
              for (ImageService.SnapshotInfo s : snapshots) {
                synchronized (deleted) {
                  if (deleted.contains(s.snapshotId())) {
                    continue;
                  }
                }
                if (!used.contains(s.snapshotId())
                    && s.tags().get(Tags.JOB_ID) != null
                    && s.tags().get(Tags.SOURCE_INSTANCE) != null) {
                  orphans.add(s.snapshotId());
                }
              }
              return orphans;
            })
        .thenCompose(
            orphans -> {
              Plan none = new Plan(List.of(), 0, Map.of());
              CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
              for (String snapshot : orphans) {
                chain =
                    chain.thenCompose(
                        x -> deleteSnapshot(target, snapshot, none, Set.of(), deleted, kept));
              }
              return chain;
            });
  }
}
