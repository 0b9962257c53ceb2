package io.amifleet.worker.prune;

import static io.amifleet.worker.testing.FakeImageService.Operation.DELETE_SNAPSHOT;
import static io.amifleet.worker.testing.FakeImageService.Operation.DEREGISTER;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.aws.RoleKey;
import io.amifleet.common.config.Retention;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.message.JobIds;
import io.amifleet.common.message.PruneSummary;
import io.amifleet.common.message.Tags;
import io.amifleet.testing.MutableClock;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.image.ImageInfo;
import io.amifleet.worker.image.ImageService.SnapshotInfo;
import io.amifleet.worker.image.ImageState;
import io.amifleet.worker.testing.AwsFailures;
import io.amifleet.worker.testing.FakeImageService;
import io.amifleet.worker.testing.FakeImageService.Call;
import io.amifleet.worker.testing.FakeImageUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PrunerTest {
  private static final Instant NOW = Instant.parse("2026-11-28T02:00:00Z");
  private static final String ACCOUNT = "111111111111";
  private static final String REGION = "us-east-1";
  private static final Ec2Target TARGET =
      new Ec2Target(
          RoleKey.of("arn:aws:iam::111111111111:role/AmiFleetCreator", "ext-id"), ACCOUNT, REGION);

  private final FakeImageService images = new FakeImageService();
  private final MutableClock clock = new MutableClock(NOW);
  private final FakeImageUsage usage = new FakeImageUsage();
  private final Pruner pruner = new Pruner(images, usage, clock);

  // ---- arranging --------------------------------------------------------------------------

  private static Retention keepLast(int n) {
    return new Retention(Optional.of(n), Optional.empty());
  }

  private static Retention maxAge(Duration d) {
    return new Retention(Optional.empty(), Optional.of(d));
  }

  private static String daysAgo(long days) {
    return NOW.minus(Duration.ofDays(days)).toString();
  }

  /** Each image comes from a run of its own, as nightly images do. */
  private static String runOf(String imageId) {
    return "run-of-" + imageId;
  }

  /** The job that made {@code imageId} of {@code instance}: its ID is the real hash. */
  private static String jobOf(String imageId, String instance) {
    return JobIds.jobId(runOf(imageId), ACCOUNT, REGION, instance);
  }

  /** The tags amifleet puts on the image {@code imageId} of {@code instance}. */
  private static Map<String, String> tagsOf(String imageId, String instance) {
    return Map.of(
        Tags.JOB_ID,
        jobOf(imageId, instance),
        Tags.RUN_ID,
        runOf(imageId),
        Tags.SOURCE_INSTANCE,
        instance,
        Tags.MANAGED,
        "true",
        "Purpose",
        "backup");
  }

  private static String descriptionOf(String imageId, String instance) {
    return "amifleet job " + jobOf(imageId, instance) + " of run " + runOf(imageId);
  }

  /** The name the default template gives: it ends in the short job ID. */
  private static String nameOf(String imageId, String instance) {
    return "web-2026-11-28-" + JobIds.shortJobId(jobOf(imageId, instance));
  }

  /** An image amifleet made of {@code instance}, in {@code state}. */
  private static ImageInfo madeInState(
      String imageId, String instance, String state, String created, String... snapshots) {
    return new ImageInfo(
        imageId,
        nameOf(imageId, instance),
        ImageState.of(state),
        null,
        List.of(snapshots),
        tagsOf(imageId, instance),
        created,
        descriptionOf(imageId, instance),
        ACCOUNT);
  }

  /** An available image amifleet made of {@code instance}. */
  private static ImageInfo made(
      String imageId, String instance, String created, String... snapshots) {
    return madeInState(imageId, instance, "available", created, snapshots);
  }

  /** An image someone made by hand, using {@code snapshots}. */
  private static ImageInfo foreign(String imageId, String created, String... snapshots) {
    return new ImageInfo(
        imageId,
        "hand-made",
        ImageState.AVAILABLE,
        null,
        List.of(snapshots),
        Map.of(),
        created,
        null,
        ACCOUNT);
  }

  private static ImageInfo withTagsAndDescription(
      ImageInfo image, Map<String, String> tags, String description) {
    return new ImageInfo(
        image.imageId(),
        image.name(),
        image.state(),
        image.stateReason(),
        image.snapshotIds(),
        tags,
        image.creationDate(),
        description,
        image.ownerId());
  }

  private static ImageInfo named(ImageInfo image, String name) {
    return new ImageInfo(
        image.imageId(),
        name,
        image.state(),
        image.stateReason(),
        image.snapshotIds(),
        image.tags(),
        image.creationDate(),
        image.description(),
        image.ownerId());
  }

  private static Map<String, String> without(Map<String, String> tags, String key) {
    Map<String, String> copy = new HashMap<>(tags);
    copy.remove(key);
    return copy;
  }

  private static Map<String, String> with(Map<String, String> tags, String key, String value) {
    Map<String, String> copy = new HashMap<>(tags);
    copy.put(key, value);
    return copy;
  }

  /**
   * A snapshot CreateImage made for the image {@code imageId} of {@code instance}, tagged as
   * amifleet tags its images' snapshots.
   */
  private static SnapshotInfo taggedSnapshot(String snapshotId, String imageId, String instance) {
    return new SnapshotInfo(
        snapshotId,
        tagsOf(imageId, instance),
        "Created by CreateImage(" + instance + ") for " + imageId);
  }

  private static boolean ours(ImageInfo image) {
    return Pruner.madeByAmifleet(image, ACCOUNT, REGION);
  }

  private static Pruner.Plan plan(List<ImageInfo> all, Retention retention) {
    return Pruner.plan(all, List.of(), retention, NOW, ACCOUNT, REGION);
  }

  private void put(ImageInfo... all) {
    for (ImageInfo image : all) {
      images.put(TARGET, image);
    }
  }

  private PruneSummary prune(Retention retention) throws Exception {
    return pruner.prune(TARGET, retention).get(5, SECONDS);
  }

  private static List<String> ids(List<ImageInfo> images) {
    return images.stream().map(ImageInfo::imageId).toList();
  }

  private List<String> deregistered() {
    return idsOf(DEREGISTER);
  }

  private List<String> deleteSnapshotCalls() {
    return idsOf(DELETE_SNAPSHOT);
  }

  private List<String> idsOf(FakeImageService.Operation operation) {
    List<String> out = new ArrayList<>();
    for (Call c : images.calls()) {
      if (c.operation() == operation) {
        out.addAll(c.ids());
      }
    }
    return out;
  }

  // ---- plan: ranking ----------------------------------------------------------------------

  @Test
  void keepLastRanksEachInstanceSeparatelyNewestFirst() {
    // Interleaved in time and listed out of order: a global ranking, or none, would differ.
    List<ImageInfo> all =
        List.of(
            made("ami-a3", "i-a", daysAgo(5), "snap-a3"),
            made("ami-b1", "i-b", daysAgo(2), "snap-b1"),
            made("ami-a1", "i-a", daysAgo(1), "snap-a1"),
            made("ami-b3", "i-b", daysAgo(6), "snap-b3"),
            made("ami-a2", "i-a", daysAgo(3), "snap-a2"),
            made("ami-b2", "i-b", daysAgo(4), "snap-b2"),
            made("ami-b4", "i-b", daysAgo(7), "snap-b4"));

    Pruner.Plan plan = plan(all, keepLast(2));

    assertThat(ids(plan.images())).containsExactlyInAnyOrder("ami-a3", "ami-b3", "ami-b4");
    assertThat(plan.keep()).isEqualTo(4);
  }

  @Test
  void imagesCreatedAtTheSameInstantAreRankedByImageId() {
    String same = daysAgo(1);
    List<ImageInfo> all =
        List.of(made("ami-0002", "i-a", same, "snap-2"), made("ami-0001", "i-a", same, "snap-1"));

    Pruner.Plan plan = plan(all, keepLast(1));

    assertThat(ids(plan.images())).containsExactly("ami-0002");
    assertThat(plan.keep()).isEqualTo(1);
  }

  @Test
  void maxAgeKeepsTheNewestOfAnInstanceAndDeletesOlderOnes() {
    List<ImageInfo> all =
        List.of(
            made("ami-a-old", "i-a", daysAgo(40), "snap-1"),
            made("ami-a-older", "i-a", daysAgo(50), "snap-2"),
            made("ami-b-young", "i-b", daysAgo(1), "snap-3"),
            made("ami-b-old", "i-b", daysAgo(31), "snap-4"));

    Pruner.Plan plan = plan(all, maxAge(Duration.ofDays(30)));

    assertThat(ids(plan.images())).containsExactlyInAnyOrder("ami-a-older", "ami-b-old");
    assertThat(plan.keep()).isEqualTo(2);
  }

  @Test
  void planDeletesASnapshotAfterTheLastDeletedImageUsingItAndKeepsOneAStayingImageUses() {
    List<ImageInfo> all =
        List.of(
            made("ami-new", "i-a", daysAgo(1), "snap-new", "snap-with-kept"),
            made("ami-old-1", "i-a", daysAgo(2), "snap-shared", "snap-1"),
            made("ami-old-2", "i-a", daysAgo(3), "snap-shared", "snap-with-kept", "snap-2"),
            foreign("ami-foreign", daysAgo(1), "snap-with-foreign"),
            made("ami-old-3", "i-a", daysAgo(4), "snap-with-foreign"));

    Pruner.Plan plan = plan(all, keepLast(1));

    assertThat(ids(plan.images())).containsExactly("ami-old-1", "ami-old-2", "ami-old-3");
    assertThat(plan.snapshotsAfter())
        .containsOnlyKeys("ami-old-1", "ami-old-2")
        .containsEntry("ami-old-1", List.of("snap-1"))
        .containsEntry("ami-old-2", List.of("snap-shared", "snap-2"));
    assertThat(plan.keptSnapshots())
        .containsExactly(
            "snap-with-kept: in use by [ami-new]", "snap-with-foreign: in use by [ami-foreign]");
    assertThat(plan.snapshots()).containsExactly("snap-1", "snap-shared", "snap-2");
  }

  // ---- plan: only amifleet's images -------------------------------------------------------

  @Test
  void madeByAmifleetNeedsEveryTagAndTheExactDescription() {
    ImageInfo real = made("ami-real", "i-a", daysAgo(1), "snap-1");
    Map<String, String> tags = real.tags();
    String description = descriptionOf("ami-real", "i-a");

    assertThat(ours(real)).isTrue();
    assertThat(ours(withTagsAndDescription(real, tags, null))).isFalse();
    assertThat(ours(withTagsAndDescription(real, tags, "copied by hand"))).isFalse();
    assertThat(ours(withTagsAndDescription(real, tags, description + " "))).isFalse();
    assertThat(
            ours(
                withTagsAndDescription(
                    real, tags, "amifleet job " + jobOf("ami-real", "i-a") + " of run run-8")))
        .isFalse();
    assertThat(ours(withTagsAndDescription(real, without(tags, Tags.RUN_ID), description)))
        .isFalse();
    assertThat(ours(withTagsAndDescription(real, without(tags, Tags.JOB_ID), description)))
        .isFalse();
    assertThat(ours(withTagsAndDescription(real, without(tags, Tags.SOURCE_INSTANCE), description)))
        .isFalse();
    assertThat(ours(withTagsAndDescription(real, with(tags, Tags.MANAGED, "false"), description)))
        .isFalse();
  }

  @Test
  void madeByAmifleetNeedsTheJobIdOfItsRunAccountRegionAndInstance() {
    ImageInfo real = made("ami-real", "i-a", daysAgo(1), "snap-1");
    // Tags and description copied, with a made-up job ID, or moved to another instance.
    String madeUp = "0123456789abcdef0123456789abcdef";
    ImageInfo inventedJob =
        withTagsAndDescription(
            named(real, "web-2026-11-28-01234567"),
            with(real.tags(), Tags.JOB_ID, madeUp),
            "amifleet job " + madeUp + " of run " + runOf("ami-real"));
    ImageInfo otherInstance =
        withTagsAndDescription(
            real, with(real.tags(), Tags.SOURCE_INSTANCE, "i-b"), descriptionOf("ami-real", "i-a"));

    assertThat(ours(inventedJob)).isFalse();
    assertThat(ours(otherInstance)).isFalse();
    assertThat(Pruner.madeByAmifleet(real, "222222222222", REGION)).isFalse();
    assertThat(Pruner.madeByAmifleet(real, ACCOUNT, "eu-west-1")).isFalse();
    assertThat(ours(real.withOwner("222222222222"))).as("shared by another account").isFalse();
  }

  @Test
  void madeByAmifleetNeedsANameItCouldHaveGivenTheJob() {
    ImageInfo real = made("ami-real", "i-a", daysAgo(1), "snap-1");
    String run = runOf("ami-real");

    assertThat(ours(named(real, "user backup"))).isFalse();
    assertThat(ours(named(real, "i-a " + run))).as("{instanceId} {runId}").isTrue();
    assertThat(ours(named(real, "i-a-backup"))).isFalse();
    assertThat(ours(named(real, "x-" + jobOf("ami-real", "i-a")))).as("{jobId}").isTrue();
  }

  @Test
  void lookalikeImagesAreNeverPlannedForDeletionHoweverOld() {
    ImageInfo newest = made("ami-newest", "i-a", daysAgo(1), "snap-newest");
    ImageInfo old = made("ami-old", "i-a", daysAgo(400), "snap-old");
    // Same instance, amifleet-looking tags, far older than anything the policy keeps.
    ImageInfo noDescription =
        withTagsAndDescription(
            made("ami-nodesc", "i-a", daysAgo(500), "snap-nodesc"),
            tagsOf("ami-nodesc", "i-a"),
            null);
    ImageInfo otherDescription =
        withTagsAndDescription(
            made("ami-otherdesc", "i-a", daysAgo(500), "snap-otherdesc"),
            tagsOf("ami-otherdesc", "i-a"),
            "amifleet job someone-elses-job of run " + runOf("ami-otherdesc"));
    ImageInfo noRunId =
        withTagsAndDescription(
            made("ami-norun", "i-a", daysAgo(500), "snap-norun"),
            without(tagsOf("ami-norun", "i-a"), Tags.RUN_ID),
            "amifleet job " + jobOf("ami-norun", "i-a") + " of run null");
    List<ImageInfo> all = List.of(noDescription, newest, otherDescription, old, noRunId);

    Pruner.Plan plan = plan(all, keepLast(1));

    assertThat(ids(plan.images())).containsExactly("ami-old");
    assertThat(plan.keep()).isEqualTo(1);
  }

  @Test
  void lookalikeImagesAreNeverDeregisteredNorTheirSnapshotsDeleted() throws Exception {
    ImageInfo newest = made("ami-newest", "i-a", daysAgo(1), "snap-newest");
    ImageInfo noDescription =
        withTagsAndDescription(
            made("ami-nodesc", "i-a", daysAgo(500), "snap-nodesc"),
            tagsOf("ami-nodesc", "i-a"),
            null);
    ImageInfo noRunId =
        withTagsAndDescription(
            made("ami-norun", "i-a", daysAgo(500), "snap-norun"),
            without(tagsOf("ami-norun", "i-a"), Tags.RUN_ID),
            descriptionOf("ami-norun", "i-a"));
    put(newest, noDescription, noRunId);

    PruneSummary summary = prune(new Retention(Optional.of(0), Optional.of(Duration.ofDays(1))));

    // keepLast 0: every amifleet image goes; the lookalikes stay.
    assertThat(summary.deletedImageIds()).containsExactly("ami-newest");
    assertThat(deregistered()).containsExactly("ami-newest");
    assertThat(images.deletedSnapshots()).containsExactly("snap-newest");
    assertThat(images.image(TARGET, "ami-nodesc")).isNotNull();
    assertThat(images.image(TARGET, "ami-norun")).isNotNull();
  }

  // ---- plan: only available images --------------------------------------------------------

  @Test
  void pendingFailedAndUndatedImagesAreNeitherRankedNorDeleted() {
    List<ImageInfo> all =
        List.of(
            // Were the pending one ranked, it would be the newest and push ami-available out.
            madeInState("ami-pending", "i-a", "pending", daysAgo(0), "snap-pending"),
            made("ami-available", "i-a", daysAgo(10), "snap-available"),
            madeInState("ami-failed", "i-a", "failed", daysAgo(20), "snap-failed"),
            madeInState("ami-undated", "i-a", "available", null, "snap-undated"));

    Pruner.Plan plan = plan(all, keepLast(1));

    assertThat(ids(plan.images())).isEmpty();
    assertThat(plan.keep()).isEqualTo(1);
  }

  @Test
  void pendingAndFailedImagesAreLeftByPrune() throws Exception {
    put(
        madeInState("ami-pending", "i-a", "pending", daysAgo(0), "snap-pending"),
        made("ami-available", "i-a", daysAgo(10), "snap-available"),
        madeInState("ami-failed", "i-a", "failed", daysAgo(20), "snap-failed"),
        made("ami-older", "i-a", daysAgo(30), "snap-older"));

    PruneSummary summary = prune(keepLast(1));

    assertThat(summary.deletedImageIds()).containsExactly("ami-older");
    assertThat(deregistered()).containsExactly("ami-older");
    assertThat(images.deletedSnapshots()).containsExactly("snap-older");
    assertThat(summary.keptImages()).isEqualTo(1);
    assertThat(images.image(TARGET, "ami-pending")).isNotNull();
    assertThat(images.image(TARGET, "ami-failed")).isNotNull();
  }

  // ---- prune: snapshots -------------------------------------------------------------------

  @Test
  void deregisteredImagesSnapshotsAreDeletedAfterTheDeregistration() throws Exception {
    put(
        made("ami-new", "i-a", daysAgo(1), "snap-new"),
        made("ami-old", "i-a", daysAgo(2), "snap-old-1", "snap-old-2"));

    PruneSummary summary = prune(keepLast(1));

    assertThat(summary.deletedImageIds()).containsExactly("ami-old");
    assertThat(summary.deletedSnapshotIds()).containsExactly("snap-old-1", "snap-old-2");
    assertThat(summary.keptSnapshots()).isEmpty();
    assertThat(summary.keptImages()).isEqualTo(1);
    assertThat(images.deletedSnapshots()).containsExactly("snap-old-1", "snap-old-2");
    assertThat(images.image(TARGET, "ami-old")).isNull();
    assertThat(images.image(TARGET, "ami-new")).isNotNull();
    List<String> order =
        images.calls().stream()
            .filter(c -> c.operation() == DEREGISTER || c.operation() == DELETE_SNAPSHOT)
            .map(c -> c.operation() + " " + c.ids().get(0))
            .toList();
    assertThat(order)
        .containsExactly(
            "DEREGISTER ami-old", "DELETE_SNAPSHOT snap-old-1", "DELETE_SNAPSHOT snap-old-2");
  }

  @Test
  void snapshotSharedWithAKeptImageIsLeftAndReported() throws Exception {
    put(
        made("ami-new", "i-a", daysAgo(1), "snap-shared", "snap-new"),
        made("ami-old", "i-a", daysAgo(2), "snap-shared", "snap-old"));
    // Tagged, so the orphan sweep sees it too, and must leave it as well.
    images.putSnapshot(TARGET, taggedSnapshot("snap-shared", "ami-old", "i-a"));

    PruneSummary summary = prune(keepLast(1));

    assertThat(summary.deletedImageIds()).containsExactly("ami-old");
    assertThat(summary.deletedSnapshotIds()).containsExactly("snap-old");
    assertThat(summary.keptSnapshots()).containsExactly("snap-shared: in use by [ami-new]");
    assertThat(images.deletedSnapshots()).containsExactly("snap-old");
    assertThat(deleteSnapshotCalls()).doesNotContain("snap-shared");
  }

  @Test
  void snapshotSharedWithANonAmifleetImageIsLeftAndReported() throws Exception {
    ImageInfo foreign = foreign("ami-foreign", daysAgo(100), "snap-shared");
    put(
        made("ami-new", "i-a", daysAgo(1), "snap-new"),
        made("ami-old", "i-a", daysAgo(2), "snap-shared"),
        foreign);

    PruneSummary summary = prune(keepLast(1));

    assertThat(summary.deletedImageIds()).containsExactly("ami-old");
    assertThat(summary.keptSnapshots()).containsExactly("snap-shared: in use by [ami-foreign]");
    assertThat(images.deletedSnapshots()).isEmpty();
  }

  @Test
  void snapshotSharedBetweenTwoDeletedImagesIsDeletedOnce() throws Exception {
    put(
        made("ami-new", "i-a", daysAgo(1), "snap-new"),
        made("ami-old-1", "i-a", daysAgo(2), "snap-shared", "snap-1"),
        made("ami-old-2", "i-a", daysAgo(3), "snap-shared", "snap-2"));
    images.putSnapshot(TARGET, taggedSnapshot("snap-shared", "ami-old-1", "i-a"));

    PruneSummary summary = prune(keepLast(1));

    assertThat(summary.deletedImageIds()).containsExactlyInAnyOrder("ami-old-1", "ami-old-2");
    assertThat(summary.deletedSnapshotIds())
        .containsExactlyInAnyOrder("snap-shared", "snap-1", "snap-2");
    assertThat(Collections.frequency(deleteSnapshotCalls(), "snap-shared")).isEqualTo(1);
    assertThat(images.deletedSnapshots())
        .containsExactlyInAnyOrder("snap-shared", "snap-1", "snap-2");
  }

  /**
   * The shared snapshot waits for the second image instead of being reported "in use" by an image
   * that this same prune deletes next; keptSnapshots lists only what was left.
   */
  @Test
  void snapshotSharedBetweenTwoDeletedImagesIsNotAlsoReportedKept() throws Exception {
    put(
        made("ami-new", "i-a", daysAgo(1), "snap-new"),
        made("ami-old-1", "i-a", daysAgo(2), "snap-shared"),
        made("ami-old-2", "i-a", daysAgo(3), "snap-shared"));

    PruneSummary summary = prune(keepLast(1));

    assertThat(summary.deletedSnapshotIds()).containsExactly("snap-shared");
    assertThat(summary.keptSnapshots()).isEmpty();
  }

  @Test
  void deleteSnapshotInUseIsReportedKeptAndThePruneCompletes() throws Exception {
    put(
        made("ami-new", "i-a", daysAgo(1), "snap-new"),
        made("ami-old", "i-a", daysAgo(2), "snap-old-1", "snap-old-2"));
    images.fail(
        DELETE_SNAPSHOT,
        AwsFailures.translated(
            "InvalidSnapshot.InUse", 400, "DeleteSnapshot snap-old in 111111111111/us-east-1"));

    PruneSummary summary = prune(keepLast(1));

    assertThat(summary.deletedImageIds()).containsExactly("ami-old");
    assertThat(summary.deletedSnapshotIds()).isEmpty();
    assertThat(summary.keptSnapshots()).hasSize(2);
    assertThat(summary.keptSnapshots().get(0))
        .startsWith("snap-old-1: in use (")
        .contains("InvalidSnapshot.InUse");
    assertThat(summary.keptSnapshots().get(1))
        .startsWith("snap-old-2: in use (")
        .contains("InvalidSnapshot.InUse");
    assertThat(deleteSnapshotCalls()).containsExactly("snap-old-1", "snap-old-2");
    assertThat(images.deletedSnapshots()).isEmpty();
    assertThat(images.image(TARGET, "ami-old")).isNull();
  }

  /**
   * A tagged snapshot whose deletion just failed looks like an orphan to the sweep of the same
   * prune (its image is gone); it is tried and reported once, and left for the next prune.
   */
  @Test
  void snapshotKeptAfterAFailedDeleteIsTriedAndReportedOnce() throws Exception {
    put(
        made("ami-new", "i-a", daysAgo(1), "snap-new"),
        made("ami-old", "i-a", daysAgo(2), "snap-old"));
    // amifleet tags its images' snapshots, so the snapshot is also among the managed ones.
    images.putSnapshot(TARGET, taggedSnapshot("snap-new", "ami-new", "i-a"));
    images.putSnapshot(TARGET, taggedSnapshot("snap-old", "ami-old", "i-a"));
    images.fail(
        DELETE_SNAPSHOT,
        AwsFailures.translated(
            "InvalidSnapshot.InUse", 400, "DeleteSnapshot snap-old in 111111111111/us-east-1"));

    PruneSummary summary = prune(keepLast(1));

    assertThat(summary.keptSnapshots()).hasSize(1);
    assertThat(summary.keptSnapshots().get(0)).startsWith("snap-old: in use (");
    assertThat(deleteSnapshotCalls()).containsExactly("snap-old");
  }

  @Test
  void deleteSnapshotNotFoundCountsAsDeleted() throws Exception {
    put(
        made("ami-new", "i-a", daysAgo(1), "snap-new"),
        made("ami-old", "i-a", daysAgo(2), "snap-old"));
    images.fail(
        DELETE_SNAPSHOT,
        AwsFailures.translated(
            "InvalidSnapshot.NotFound", 400, "DeleteSnapshot snap-old in 111111111111/us-east-1"));

    PruneSummary summary = prune(keepLast(1));

    assertThat(summary.deletedSnapshotIds()).containsExactly("snap-old");
    assertThat(summary.keptSnapshots()).isEmpty();
  }

  @Test
  void otherDeleteSnapshotErrorIsReportedKeptForTheNextPrune() throws Exception {
    put(
        made("ami-new", "i-a", daysAgo(1), "snap-new"),
        made("ami-old", "i-a", daysAgo(2), "snap-old"));
    images.fail(
        DELETE_SNAPSHOT,
        AwsFailures.translated(
            "UnauthorizedOperation", 403, "DeleteSnapshot snap-old in 111111111111/us-east-1"));

    PruneSummary summary = prune(keepLast(1));

    assertThat(summary.deletedImageIds()).containsExactly("ami-old");
    assertThat(summary.deletedSnapshotIds()).isEmpty();
    assertThat(summary.keptSnapshots()).hasSize(1);
    assertThat(summary.keptSnapshots().get(0))
        .startsWith("snap-old: not deleted, the next prune retries: ")
        .contains("UnauthorizedOperation");
  }

  // ---- prune: deregistration failure ------------------------------------------------------

  @Test
  void failedDeregistrationFailsThePruneAndKeepsThatImagesSnapshots() throws Exception {
    put(
        made("ami-new", "i-a", daysAgo(1), "snap-new"),
        made("ami-old", "i-a", daysAgo(2), "snap-old-1", "snap-old-2"));
    images.putSnapshot(TARGET, taggedSnapshot("snap-old-1", "ami-old", "i-a"));
    images.fail(
        DEREGISTER,
        AwsFailures.translated(
            "UnauthorizedOperation", 403, "DeregisterImage ami-old in 111111111111/us-east-1"));

    CompletableFuture<PruneSummary> future = pruner.prune(TARGET, keepLast(1));
    Throwable failure = future.handle((v, e) -> e).get(5, SECONDS);

    assertThat(failure).as("prune should have failed").isNotNull();
    assertThat(AwsErrors.errorCodeOf(failure)).isEqualTo("UnauthorizedOperation");
    assertThat(deregistered()).containsExactly("ami-old");
    assertThat(deleteSnapshotCalls()).isEmpty();
    assertThat(images.deletedSnapshots()).isEmpty();
    assertThat(images.image(TARGET, "ami-old")).isNotNull();
  }

  @Test
  void failedDeregistrationStopsBeforeTheNextImage() throws Exception {
    put(
        made("ami-new", "i-a", daysAgo(1), "snap-new"),
        made("ami-old-1", "i-a", daysAgo(2), "snap-1"),
        made("ami-old-2", "i-a", daysAgo(3), "snap-2"));
    images.fail(
        DEREGISTER,
        AwsFailures.translated(
            "UnauthorizedOperation", 403, "DeregisterImage in 111111111111/us-east-1"));

    Throwable failure = pruner.prune(TARGET, keepLast(1)).handle((v, e) -> e).get(5, SECONDS);

    assertThat(failure).isNotNull();
    assertThat(deregistered()).hasSize(1);
    assertThat(deleteSnapshotCalls()).isEmpty();
  }

  // ---- prune: orphan sweep ----------------------------------------------------------------

  @Test
  void orphanSweepDeletesTaggedUnusedSnapshotsOnly() throws Exception {
    ImageInfo foreign = foreign("ami-foreign", daysAgo(100), "snap-of-foreign");
    put(made("ami-kept", "i-a", daysAgo(1), "snap-kept"), foreign);
    images.putSnapshot(TARGET, taggedSnapshot("snap-orphan", "ami-gone", "i-a"));
    images.putSnapshot(TARGET, taggedSnapshot("snap-kept", "ami-kept", "i-a"));
    images.putSnapshot(TARGET, taggedSnapshot("snap-of-foreign", "ami-gone-2", "i-b"));
    images.putSnapshot(
        TARGET,
        new SnapshotInfo("snap-untagged", Map.of(), "Created by CreateImage(i-a) for ami-x"));
    images.putSnapshot(
        TARGET,
        new SnapshotInfo(
            "snap-managed-only",
            Map.of(Tags.MANAGED, "true"),
            "Created by CreateImage(i-a) for ami-y"));
    images.putSnapshot(
        TARGET,
        new SnapshotInfo(
            "snap-no-instance",
            Map.of(Tags.MANAGED, "true", Tags.JOB_ID, jobOf("ami-gone-3", "i-a")),
            "Created by CreateImage(i-a) for ami-gone-3"));

    PruneSummary summary = prune(keepLast(1));

    assertThat(summary.deletedImageIds()).isEmpty();
    assertThat(summary.deletedSnapshotIds()).containsExactly("snap-orphan");
    assertThat(summary.keptSnapshots()).isEmpty();
    assertThat(summary.keptImages()).isEqualTo(1);
    assertThat(deleteSnapshotCalls()).containsExactly("snap-orphan");
    assertThat(images.deletedSnapshots()).containsExactly("snap-orphan");
    assertThat(deregistered()).isEmpty();
  }

  @Test
  void orphanSweepDoesNotDeleteASnapshotTwice() throws Exception {
    put(
        made("ami-new", "i-a", daysAgo(1), "snap-new"),
        made("ami-old", "i-a", daysAgo(2), "snap-old"));
    images.putSnapshot(TARGET, taggedSnapshot("snap-new", "ami-new", "i-a"));
    images.putSnapshot(TARGET, taggedSnapshot("snap-old", "ami-old", "i-a"));
    images.putSnapshot(TARGET, taggedSnapshot("snap-orphan", "ami-gone", "i-a"));

    PruneSummary summary = prune(keepLast(1));

    assertThat(summary.deletedSnapshotIds()).containsExactly("snap-old", "snap-orphan");
    assertThat(deleteSnapshotCalls()).containsExactly("snap-old", "snap-orphan");
  }

  @Test
  void pruneUsesTheClockForMaxAge() throws Exception {
    put(
        made("ami-new", "i-a", daysAgo(1), "snap-new"),
        made("ami-old", "i-a", daysAgo(5), "snap-old"));

    Retention retention = maxAge(Duration.ofDays(10));
    assertThat(ids(pruner.plan(TARGET, retention).get(5, SECONDS).images())).isEmpty();

    clock.advance(Duration.ofDays(6));
    PruneSummary summary = prune(retention);

    assertThat(summary.deletedImageIds()).containsExactly("ami-old");
    assertThat(summary.deletedSnapshotIds()).containsExactly("snap-old");
  }

  // ---- issue 19: ownership beyond copyable tags; the dry run is the plan the prune runs --------

  @Test
  void handMadeSnapshotWithAmifleetsTagsIsNeitherPlannedNorDeleted() throws Exception {
    put(made("ami-kept", "i-a", daysAgo(1), "snap-kept"));
    // A user's backup, tagged by copying the tags of an amifleet snapshot.
    images.putSnapshot(
        TARGET, new SnapshotInfo("snap-user", tagsOf("ami-gone", "i-a"), "user backup"));
    // Described as CreateImage would, but for another instance than its tags say.
    images.putSnapshot(
        TARGET,
        new SnapshotInfo(
            "snap-moved", tagsOf("ami-gone", "i-a"), "Created by CreateImage(i-b) for ami-gone"));
    // Described right, tagged with a job ID that its run, account, region and instance do not give.
    images.putSnapshot(
        TARGET,
        new SnapshotInfo(
            "snap-forged",
            with(tagsOf("ami-gone", "i-a"), Tags.JOB_ID, "0123456789abcdef0123456789abcdef"),
            "Created by CreateImage(i-a) for ami-gone"));
    images.putSnapshot(TARGET, taggedSnapshot("snap-orphan", "ami-gone", "i-a"));

    Pruner.Plan plan = pruner.plan(TARGET, keepLast(1)).get(5, SECONDS);
    PruneSummary summary = prune(keepLast(1));

    assertThat(plan.orphans()).containsExactly("snap-orphan");
    assertThat(summary.deletedSnapshotIds()).containsExactly("snap-orphan");
    assertThat(deleteSnapshotCalls()).containsExactly("snap-orphan");
  }

  @Test
  void snapshotNamingAnImageThatStillExistsIsNoOrphan() throws Exception {
    // The image is there (and does not list the snapshot): the snapshot is not proven an orphan.
    put(made("ami-kept", "i-a", daysAgo(1), "snap-kept"));
    images.putSnapshot(TARGET, taggedSnapshot("snap-odd", "ami-kept", "i-a"));

    assertThat(pruner.plan(TARGET, keepLast(1)).get(5, SECONDS).orphans()).isEmpty();
  }

  @Test
  void handMadeImageWithAmifleetsTagsAndDescriptionDoesNotDisplaceARealOne() throws Exception {
    ImageInfo older = made("ami-older", "i-a", daysAgo(2), "snap-older");
    ImageInfo newer = made("ami-newer", "i-a", daysAgo(1), "snap-newer");
    // Newest of all, with every tag and the description of ami-newer copied, under another name.
    ImageInfo copy =
        named(
            withTagsAndDescription(
                made("ami-copy", "i-a", daysAgo(0), "snap-copy"),
                newer.tags(),
                newer.description()),
            "user backup of web");
    put(older, newer, copy);

    PruneSummary summary = prune(keepLast(2));

    assertThat(summary.deletedImageIds()).isEmpty();
    assertThat(summary.keptImages()).isEqualTo(2);
    assertThat(images.image(TARGET, "ami-copy")).isNotNull();
    assertThat(images.image(TARGET, "ami-older")).isNotNull();
  }

  @Test
  void pruneDeletesExactlyWhatItsPlanLists() throws Exception {
    put(
        made("ami-new", "i-a", daysAgo(1), "snap-new", "snap-with-new"),
        made("ami-old-1", "i-a", daysAgo(2), "snap-shared", "snap-1", "snap-with-new"),
        made("ami-old-2", "i-a", daysAgo(3), "snap-shared", "snap-2"),
        made("ami-b-new", "i-b", daysAgo(1), "snap-b-new"),
        made("ami-b-old", "i-b", daysAgo(5), "snap-b-old"));
    images.putSnapshot(TARGET, taggedSnapshot("snap-orphan-1", "ami-gone-1", "i-a"));
    images.putSnapshot(TARGET, taggedSnapshot("snap-orphan-2", "ami-gone-2", "i-b"));
    images.putSnapshot(
        TARGET, new SnapshotInfo("snap-user", tagsOf("ami-gone-3", "i-a"), "user backup"));

    Pruner.Plan plan = pruner.plan(TARGET, keepLast(1)).get(5, SECONDS);
    PruneSummary summary = prune(keepLast(1));

    assertThat(summary.deletedImageIds()).isEqualTo(ids(plan.images()));
    assertThat(summary.deletedSnapshotIds()).isEqualTo(plan.snapshots());
    assertThat(summary.keptSnapshots()).isEqualTo(plan.keptSnapshots());
    assertThat(plan.snapshots())
        .containsExactlyInAnyOrder(
            "snap-shared", "snap-1", "snap-2", "snap-b-old", "snap-orphan-1", "snap-orphan-2");
    assertThat(plan.keptSnapshots()).containsExactly("snap-with-new: in use by [ami-new]");
  }

  // ---- usage and deprecation -----------------------------------------------------------------

  private static Retention twoPhase(int keepLast, Duration deleteAfterDeprecation) {
    return new Retention(
        Optional.of(keepLast),
        Optional.empty(),
        Optional.empty(),
        Optional.of(deleteAfterDeprecation),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  @Test
  void onlyImagesPastThePolicyAreCheckedAndAnImageInUseStaysWithItsUse() throws Exception {
    put(
        made("ami-new", "i-a", daysAgo(1), "snap-new"),
        made("ami-used", "i-a", daysAgo(2), "snap-used"),
        made("ami-old", "i-a", daysAgo(3), "snap-old"));
    usage.used("ami-used", "in use by instance i-9 (running)");

    PruneSummary summary = prune(keepLast(1));

    assertThat(usage.asked()).containsExactly(Set.of("ami-used", "ami-old"));
    assertThat(summary.deletedImageIds()).containsExactly("ami-old");
    assertThat(summary.keptImagesWhy())
        .containsExactly("ami-used: beyond keepLast 1; in use by instance i-9 (running)");
    assertThat(summary.keptImages()).isEqualTo(2);
    assertThat(images.image(TARGET, "ami-used")).isNotNull();
  }

  @Test
  void aCheckThatCouldNotRunKeepsEveryImagePastThePolicyAndIsReported() throws Exception {
    put(
        made("ami-new", "i-a", daysAgo(1), "snap-new"),
        made("ami-old", "i-a", daysAgo(3), "snap-old"));
    usage.failing("launch templates: could not check: AccessDenied");

    PruneSummary summary = prune(keepLast(1));

    assertThat(summary.deletedImageIds()).isEmpty();
    assertThat(deregistered()).isEmpty();
    assertThat(summary.checksNotRun())
        .containsExactly("launch templates: could not check: AccessDenied");
    assertThat(summary.keptImagesWhy())
        .containsExactly(
            "ami-old: beyond keepLast 1; launch templates: could not check: AccessDenied");
  }

  @Test
  void twoPhaseRetentionDeprecatesFirstAndDeregistersOnlyAfterTheWait() throws Exception {
    put(
        made("ami-new", "i-a", daysAgo(1), "snap-new"),
        made("ami-old", "i-a", daysAgo(3), "snap-old"));
    Retention policy = twoPhase(1, Duration.ofDays(7));

    PruneSummary first = prune(policy);
    assertThat(first.deprecatedImageIds()).containsExactly("ami-old");
    assertThat(first.deletedImageIds()).isEmpty();
    String deprecatedAt = images.image(TARGET, "ami-old").deprecationTime();
    assertThat(Instant.parse(deprecatedAt)).isAfter(NOW).isBefore(NOW.plus(Duration.ofMinutes(2)));

    clock.advance(Duration.ofDays(6));
    PruneSummary early = prune(policy);
    assertThat(early.deletedImageIds()).isEmpty();
    assertThat(early.deprecatedImageIds()).isEmpty();
    assertThat(early.keptImagesWhy()).singleElement().asString().contains("deregistered from");

    clock.advance(Duration.ofDays(1).plusMinutes(2));
    PruneSummary due = prune(policy);
    assertThat(due.deletedImageIds()).containsExactly("ami-old");
    assertThat(images.deletedSnapshots()).containsExactly("snap-old");
  }

  @Test
  void deprecateAfterAloneDeprecatesOldImagesAndDeletesNothing() throws Exception {
    put(
        made("ami-new", "i-a", daysAgo(1), "snap-new"),
        made("ami-old", "i-a", daysAgo(20), "snap-old"));
    Retention policy =
        new Retention(
            Optional.empty(),
            Optional.empty(),
            Optional.of(Duration.ofDays(14)),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());

    PruneSummary summary = prune(policy);

    assertThat(summary.deprecatedImageIds()).containsExactly("ami-old");
    assertThat(summary.deletedImageIds()).isEmpty();
    assertThat(usage.asked()).containsExactly(Set.of());
  }

  @Test
  void theDryRunPlanSaysTheBytesOfTheSnapshotsItFrees() throws Exception {
    put(
        made("ami-new", "i-a", daysAgo(1), "snap-new"),
        made("ami-old", "i-a", daysAgo(3), "snap-old"));
    images.putSnapshot(
        TARGET,
        new SnapshotInfo(
            "snap-old", tagsOf("ami-old", "i-a"), "Created by CreateImage(i-a) for ami-old", 8));

    Pruner.Plan plan = pruner.plan(TARGET, keepLast(1)).get(5, SECONDS);

    assertThat(plan.decisions())
        .filteredOn(d -> d.action() == Pruner.Action.DELETE)
        .singleElement()
        .satisfies(d -> assertThat(d.bytesFreed()).isEqualTo(8L << 30));
    assertThat(plan.bytesFreed()).isEqualTo(8L << 30);
  }
}
