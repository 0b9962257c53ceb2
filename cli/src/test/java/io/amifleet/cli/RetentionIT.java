package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.cli.testing.Cli;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import io.amifleet.emulator.fault.ImageFacts;
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
        cli()
            .run(
                "prune",
                "--targets",
                targets("retention: {keepLast: 2}").toString(),
                "--poll-interval",
                "1s");

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
        cli()
            .run(
                "prune",
                "--targets",
                targets("retention: {maxAge: 15d}").toString(),
                "--poll-interval",
                "1s");

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
        cli()
            .run(
                "prune",
                "--targets",
                targets("retention: {keepLast: 2}").toString(),
                "--poll-interval",
                "1s");

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
    for (String instance : instances) {
      // r5 is today's; r4 (1 day) and r3 (10 days) are the next newest.
      assertThat(runsLeft(instance)).containsExactlyInAnyOrder("r3", "r4", "r5");
    }
  }

  @Test
  void dispatchEnqueuesARetentionJobPerAccountRegion() throws Exception {
    String prefix = "ret" + Long.toHexString(System.nanoTime());
    cli().run("queues", "create", "--prefix", prefix);

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

  private static Tag tag(String k, String v) {
    return Tag.builder().key(k).value(v).build();
  }
}
