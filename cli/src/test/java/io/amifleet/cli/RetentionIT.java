package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.cli.testing.Cli;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import io.amifleet.testing.fault.ImageFacts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * Retention against moto: amifleet's images beyond the policy go with their snapshots; images it
 * did not make stay, whatever their tags. {@link ImageFacts} supplies what moto cannot: image ages
 * (moto dates every image "now") and an image registered from another image's snapshot.
 */
class RetentionIT {
  private static final String A = "111111111111";
  private static final String REGION = "us-east-1";

  private final RealisticEmulator emulator = SharedEmulator.get();
  private final ImageFacts facts = new ImageFacts();
  private EmulatedAws aws;
  private Seeder seeder;
  private List<String> instances;
  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    emulator.reset();
    // The test's own set-up and checks talk to moto directly: what is there, without the layer's
    // window of eventual consistency (amifleet's calls go through the layer).
    aws = new EmulatedAws(emulator.motoEndpoint(), REGION);
    seeder = new Seeder(aws);
    instances = seeder.runInstances(A, REGION, 2, Map.of("Backup", "nightly"));
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  private Cli cli() {
    return new Cli(emulator, Map.of()).intercept(facts);
  }

  private Path targets(String retention) throws Exception {
    Path file = dir.resolve("targets.yaml");
    Files.writeString(
        file,
        """
        defaults:
          regions: [us-east-1]
          select: {tags: {Backup: nightly}}
          %s
        accounts:
          - id: "111111111111"
        """
            .formatted(retention));
    return file;
  }

  /** Four nightly runs: r1 (40 days ago), r2 (20), r3 (10), r4 (1). */
  private void fourNights() throws Exception {
    Path file = targets("");
    for (String run : List.of("r1", "r2", "r3", "r4")) {
      Cli.Result r =
          cli().run("run", "--targets", file.toString(), "--poll-interval", "1s", "--run-id", run);
      assertThat(r.exitCode()).as(r.toString()).isZero();
    }
    Map<String, Integer> daysAgo = Map.of("r1", 40, "r2", 20, "r3", 10, "r4", 1);
    for (Image i : seeder.ownedImages(A, REGION)) {
      String run = tag(i, "amifleet:run-id");
      facts.created(i.imageId(), Instant.now().minus(Duration.ofDays(daysAgo.get(run))));
    }
  }

  private static String tag(Image i, String key) {
    return i.tags().stream()
        .filter(t -> t.key().equals(key))
        .map(Tag::value)
        .findFirst()
        .orElse(null);
  }

  private Set<String> runsLeft(String instance) {
    return seeder.ownedImages(A, REGION).stream()
        .filter(i -> instance.equals(tag(i, "amifleet:source-instance")))
        .map(i -> tag(i, "amifleet:run-id"))
        .collect(Collectors.toSet());
  }

  private Set<String> snapshots() {
    return aws.ec2(A, REGION).describeSnapshots(b -> b.ownerIds("self")).snapshots().stream()
        .map(s -> s.snapshotId())
        .collect(Collectors.toSet());
  }

  @Test
  void keepLastKeepsTheNewestImagesOfEachInstanceAndDeletesTheOthersWithTheirSnapshots()
      throws Exception {
    fourNights();
    Ec2Client ec2 = aws.ec2(A, REGION);
    // Not amifleet's: tagged like its images, but made by hand (no amifleet description).
    String lookalike =
        ec2.createImage(
                b ->
                    b.instanceId(instances.get(0))
                        .name("hand-made-lookalike")
                        .tagSpecifications(
                            t ->
                                t.resourceType(ResourceType.IMAGE)
                                    .tags(
                                        tag("amifleet:managed", "true"),
                                        tag("amifleet:job-id", "0123abcd"),
                                        tag("amifleet:run-id", "r0"),
                                        tag("amifleet:source-instance", instances.get(0)))))
            .imageId();
    String plain = ec2.createImage(b -> b.instanceId(instances.get(1)).name("hand-made")).imageId();
    facts.created(lookalike, Instant.now().minus(Duration.ofDays(300)));
    facts.created(plain, Instant.now().minus(Duration.ofDays(300)));
    Set<String> doomedSnapshots =
        seeder.ownedImages(A, REGION).stream()
            .filter(i -> List.of("r1", "r2").contains(String.valueOf(tag(i, "amifleet:run-id"))))
            .flatMap(i -> i.blockDeviceMappings().stream().map(m -> m.ebs().snapshotId()))
            .collect(Collectors.toSet());
    assertThat(doomedSnapshots).hasSize(4);

    Cli.Result dry =
        cli()
            .run("prune", "--targets", targets("retention: {keepLast: 2}").toString(), "--dry-run");
    assertThat(dry.exitCode()).as(dry.toString()).isZero();
    assertThat(dry.out()).contains("dry run: 4 image(s)").contains("nothing was changed");
    assertThat(seeder.ownedImages(A, REGION)).as("a dry run changes nothing").hasSize(10);

    Cli.Result pruned =
        cli().run("prune", "--targets", targets("retention: {keepLast: 2}").toString());

    assertThat(pruned.exitCode()).as(pruned.toString()).isZero();
    assertThat(pruned.out()).contains("retention applied in 1 account-region(s), 0 failed");
    // r0 is the hand-made lookalike of instance 0: 300 days old, and left alone.
    assertThat(runsLeft(instances.get(0))).containsExactlyInAnyOrder("r0", "r3", "r4");
    assertThat(runsLeft(instances.get(1))).containsExactlyInAnyOrder("r3", "r4");
    Set<String> left =
        seeder.ownedImages(A, REGION).stream().map(Image::imageId).collect(Collectors.toSet());
    assertThat(left).contains(lookalike, plain);
    assertThat(snapshots()).doesNotContainAnyElementsOf(doomedSnapshots);
  }

  @Test
  void maxAgeDeletesOldImagesButKeepsTheNewestOfAnInstance() throws Exception {
    fourNights();

    Cli.Result pruned =
        cli().run("prune", "--targets", targets("retention: {maxAge: 15d}").toString());

    assertThat(pruned.exitCode()).as(pruned.toString()).isZero();
    for (String instance : instances) {
      assertThat(runsLeft(instance)).containsExactlyInAnyOrder("r3", "r4");
    }
  }

  @Test
  void aSnapshotStillUsedByAnotherImageIsLeftAndReported() throws Exception {
    fourNights();
    Image oldest =
        seeder.ownedImages(A, REGION).stream()
            .filter(
                i ->
                    "r1".equals(tag(i, "amifleet:run-id"))
                        && instances.get(0).equals(tag(i, "amifleet:source-instance")))
            .findFirst()
            .orElseThrow();
    String shared = oldest.blockDeviceMappings().get(0).ebs().snapshotId();
    String user =
        aws.ec2(A, REGION)
            .registerImage(
                b ->
                    b.name("uses-a-shared-snapshot")
                        .rootDeviceName("/dev/sda1")
                        .blockDeviceMappings(
                            m -> m.deviceName("/dev/sda1").ebs(e -> e.snapshotId(shared))))
            .imageId();
    facts.rootSnapshot(user, shared);

    Cli.Result pruned =
        cli().run("prune", "--targets", targets("retention: {keepLast: 2}").toString());

    assertThat(pruned.exitCode()).as(pruned.toString()).isZero();
    assertThat(pruned.out()).contains(shared + ": in use by [" + user + "]");
    assertThat(snapshots()).contains(shared);
    assertThat(runsLeft(instances.get(0))).containsExactlyInAnyOrder("r3", "r4");
  }

  @Test
  void aRunWithARetentionPolicyPrunesAfterItsImagesAreMade() throws Exception {
    fourNights();

    Cli.Result r =
        cli()
            .run(
                "run",
                "--targets",
                targets("retention: {keepLast: 3}").toString(),
                "--poll-interval",
                "1s",
                "--run-id",
                "r5");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("2 result(s): 2 succeeded")
        .contains("retention applied in 1 account-region(s), 0 failed");
    // The retention job counts in the total from the first progress line on: 2 images + 1.
    List<String> progress = r.err().lines().filter(l -> l.startsWith("progress: ")).toList();
    assertThat(progress).as(r.err()).hasSizeGreaterThanOrEqualTo(2);
    assertThat(progress).as(r.err()).allMatch(l -> l.matches("progress: \\d+/3 done.*"));
    assertThat(r.err()).contains("run r5: applying retention in 1 account-region(s)");
    for (String instance : instances) {
      // r5 is today's; r4 (1 day) and r3 (10 days) are the next newest.
      assertThat(runsLeft(instance)).containsExactlyInAnyOrder("r3", "r4", "r5");
    }
  }

  @Test
  void dispatchEnqueuesARetentionJobPerAccountRegion() throws Exception {
    String prefix = "ret" + Long.toHexString(System.nanoTime());
    cli().run("queues", "create", "--queue-prefix", prefix);

    Cli.Result r =
        cli()
            .run(
                "dispatch",
                "--targets",
                targets("retention: {keepLast: 7, maxAge: 30d}").toString(),
                "--queue-prefix",
                prefix,
                "--output",
                "json");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("\"jobCount\":2")
        .contains("\"pruneJobs\":1")
        .contains("\"prunesEnqueued\":1");
  }

  @Test
  void pruneWithoutAnyRetentionPolicyIsAConfigurationError() throws Exception {
    Cli.Result r = cli().run("prune", "--targets", targets("").toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("no account has a retention policy");
  }

  private Set<String> imageIds() {
    return seeder.ownedImages(A, REGION).stream().map(Image::imageId).collect(Collectors.toSet());
  }

  /** The image and snapshot IDs a dry run lists to delete (not those it says it keeps). */
  private static Set<String> listedToDelete(String dryRunOut) {
    Set<String> ids = new java.util.HashSet<>();
    for (String line : dryRunOut.lines().toList()) {
      if (line.contains(" kept ") || !line.matches(".*\\bdelete\\b.*")) {
        continue;
      }
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("\\b(ami|snap)-[0-9a-f]+\\b").matcher(line);
      while (m.find()) {
        ids.add(m.group());
      }
    }
    return ids;
  }

  /**
   * The dry run lists exactly what the prune then deletes, orphan snapshots included; a snapshot
   * made by hand and tagged like amifleet's, and an image made by hand with the tags and
   * description of amifleet's newest, are neither listed nor deleted, and the copy does not push a
   * real image out of keepLast.
   */
  @Test
  void dryRunListsExactlyWhatPruneDeletesAndHandMadeCopiesOfAmifleetsTagsStay() throws Exception {
    fourNights();
    Ec2Client ec2 = aws.ec2(A, REGION);
    Image r4 =
        seeder.ownedImages(A, REGION).stream()
            .filter(
                i ->
                    "r4".equals(tag(i, "amifleet:run-id"))
                        && instances.get(0).equals(tag(i, "amifleet:source-instance")))
            .findFirst()
            .orElseThrow();
    List<Tag> amifleetTags = r4.tags();
    // A user's backup image of instance 0, tags and description copied from amifleet's newest.
    String copy =
        ec2.createImage(
                b ->
                    b.instanceId(instances.get(0))
                        .name("user backup of web")
                        .description(r4.description())
                        .tagSpecifications(
                            t -> t.resourceType(ResourceType.IMAGE).tags(amifleetTags)))
            .imageId();
    // A user's snapshot, tagged like amifleet's snapshots, described as theirs.
    String volume = ec2.createVolume(b -> b.availabilityZone(REGION + "a").size(8)).volumeId();
    String userSnapshot =
        ec2.createSnapshot(b -> b.volumeId(volume).description("user backup")).snapshotId();
    ec2.createTags(b -> b.resources(userSnapshot).tags(amifleetTags));
    // A real orphan: amifleet's r1 image of instance 1 deregistered by hand, its snapshot left.
    Image r1 =
        seeder.ownedImages(A, REGION).stream()
            .filter(
                i ->
                    "r1".equals(tag(i, "amifleet:run-id"))
                        && instances.get(1).equals(tag(i, "amifleet:source-instance")))
            .findFirst()
            .orElseThrow();
    ec2.deregisterImage(b -> b.imageId(r1.imageId()));
    String orphan = r1.blockDeviceMappings().get(0).ebs().snapshotId();
    Set<String> imagesBefore = imageIds();
    Set<String> snapshotsBefore = snapshots();

    Path policy = targets("retention: {keepLast: 2}");
    Cli.Result dry = cli().run("prune", "--targets", policy.toString(), "--dry-run");
    assertThat(dry.exitCode()).as(dry.toString()).isZero();
    assertThat(imageIds()).as("a dry run changes nothing").isEqualTo(imagesBefore);
    Cli.Result pruned = cli().run("prune", "--targets", policy.toString());
    assertThat(pruned.exitCode()).as(pruned.toString()).isZero();

    Set<String> deleted = new java.util.HashSet<>(imagesBefore);
    deleted.removeAll(imageIds());
    Set<String> deletedSnapshots = new java.util.HashSet<>(snapshotsBefore);
    deletedSnapshots.removeAll(snapshots());
    deleted.addAll(deletedSnapshots);
    assertThat(listedToDelete(dry.out())).as(dry.out()).isEqualTo(deleted);
    assertThat(deletedSnapshots).contains(orphan).doesNotContain(userSnapshot);
    assertThat(runsLeft(instances.get(0))).containsExactlyInAnyOrder("r3", "r4");
    assertThat(imageIds())
        .as("r3 and r4 of each instance, and the copy (not counted: the real r3 stays)")
        .contains(r4.imageId())
        .hasSize(2 + 2 + 1);
    assertThat(imageIds()).contains(copy);
    assertThat(snapshots()).contains(userSnapshot);
  }

  private static Tag tag(String k, String v) {
    return Tag.builder().key(k).value(v).build();
  }
}
