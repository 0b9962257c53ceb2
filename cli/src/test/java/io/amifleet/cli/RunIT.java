package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.amifleet.cli.testing.Cli;
import io.amifleet.common.json.Json;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import io.amifleet.emulator.realistic.Rule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.model.Image;

/**
 * {@code amifleet run}: single-machine mode over the embedded queue, against moto behind the
 * realistic EC2 layer (images pending for seconds, throttling, eventual consistency).
 */
class RunIT {
  private static final String A = "111111111111";
  private static final String B = "222222222222";

  private final RealisticEmulator emulator = SharedEmulator.get();
  private EmulatedAws aws;
  private Seeder seeder;
  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    emulator.reset();
    aws = new EmulatedAws(emulator.endpoint(), Cli.REGION);
    seeder = new Seeder(aws);
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  private Path targets() throws Exception {
    Path file = dir.resolve("targets.yaml");
    Files.writeString(
        file,
        """
        defaults:
          regions: [us-east-1, eu-west-1]
          externalId: ${AMIFLEET_EXTERNAL_ID}
          select: {tags: {Backup: nightly}}
        accounts:
          - {id: "111111111111", name: web}
          - {id: "222222222222", name: payments}
        """);
    return file;
  }

  private Cli cli() {
    return new Cli(emulator, Map.of("AMIFLEET_EXTERNAL_ID", "ext-run"));
  }

  private Set<String> imageIds(String account) {
    Set<String> ids = new HashSet<>();
    for (String region : List.of("us-east-1", "eu-west-1")) {
      seeder.ownedImages(account, region).stream().map(Image::imageId).forEach(ids::add);
    }
    return ids;
  }

  @Test
  void runMakesEveryImageAndItsReportMatchesTheEmulator() throws Exception {
    seeder.runInstances(A, "us-east-1", 3, Map.of("Backup", "nightly"));
    seeder.runInstances(A, "eu-west-1", 2, Map.of("Backup", "nightly"));
    seeder.runInstances(B, "us-east-1", 2, Map.of("Backup", "nightly"));
    seeder.runInstances(B, "us-east-1", 2, Map.of());
    Path report = dir.resolve("out/report.json");

    Cli.Result r =
        cli()
            .run(
                "run",
                "--targets",
                targets().toString(),
                "--poll-interval",
                "1s",
                "--report",
                report.toString());

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("7 result(s): 7 succeeded, 0 failed, 0 timed out");
    assertThat(r.err())
        .containsPattern(
            "progress: 7/7 done, 7 succeeded, 0 failed, 0 timed out, 0 waiting, [0-9.ms]+ elapsed");
    JsonNode json = Json.newMapper().readTree(report.toFile());
    assertThat(json.get("totals").get("succeeded").asInt()).isEqualTo(7);
    assertThat(json.get("totals").get("unfinished").asInt()).isZero();
    Set<String> reported = new HashSet<>();
    json.get("results").forEach(x -> reported.add(x.get("imageId").asText()));
    Set<String> made = new HashSet<>(imageIds(A));
    made.addAll(imageIds(B));
    assertThat(reported).isEqualTo(made).hasSize(7);
    for (String image : made) {
      assertThat(r.out()).contains(image);
    }
  }

  @Test
  void aFailingAccountMakesExitOneAndTheOthersStillSucceed() throws Exception {
    seeder.runInstances(A, "us-east-1", 2, Map.of("Backup", "nightly"));
    seeder.runInstances(B, "us-east-1", 2, Map.of("Backup", "nightly"));

    // B's role trusts another ExternalId than the one amifleet sends.
    emulator
        .layer()
        .use(
            SharedEmulator.testSettings().toBuilder()
                .externalId("arn:aws:iam::" + B + ":role/AmiFleetCreator", "not-ext-run")
                .build());
    Cli.Result r = cli().run("run", "--targets", targets().toString(), "--poll-interval", "1s");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains(B).contains("AccessDenied");
    assertThat(r.out()).contains("2 result(s): 2 succeeded");
    assertThat(imageIds(A)).hasSize(2);
    assertThat(imageIds(B)).isEmpty();
  }

  @Test
  void aFailedImageIsReportedWithItsErrorAndExitIsOne() throws Exception {
    List<String> instances = seeder.runInstances(A, "us-east-1", 2, Map.of("Backup", "nightly"));
    String bad = instances.get(0);

    emulator
        .layer()
        .use(SharedEmulator.testSettings().toBuilder().failingInstances(Set.of(bad)).build());
    Cli.Result r = cli().run("run", "--targets", targets().toString(), "--poll-interval", "1s");

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out())
        .contains("2 result(s): 1 succeeded, 1 failed")
        .contains(bad)
        .contains("ImageFailed");
  }

  @Test
  void aRerunWithTheSameRunIdAdoptsTheImagesAlreadyMade() throws Exception {
    seeder.runInstances(A, "us-east-1", 3, Map.of("Backup", "nightly"));
    String runId = "rerun-" + UUID.randomUUID().toString().substring(0, 6);

    Cli.Result first =
        cli()
            .run(
                "run",
                "--targets",
                targets().toString(),
                "--poll-interval",
                "1s",
                "--run-id",
                runId);
    Set<String> afterFirst = imageIds(A);
    // Without EC2's unique names (as on moto alone) only the look-up by job ID can find the images:
    // a given run ID must never skip it, though this process made no attempt of these jobs.
    emulator
        .layer()
        .use(SharedEmulator.testSettings().toBuilder().without(Rule.DUPLICATE_NAMES).build());
    Cli.Result second =
        cli()
            .run(
                "run",
                "--targets",
                targets().toString(),
                "--poll-interval",
                "1s",
                "--run-id",
                runId);

    assertThat(first.exitCode()).isZero();
    assertThat(second.exitCode()).isZero();
    assertThat(afterFirst).hasSize(3);
    assertThat(imageIds(A)).isEqualTo(afterFirst);
    for (String image : afterFirst) {
      assertThat(second.out()).contains(image);
    }
  }

  @Test
  void runUsesRealQueuesWhenAPrefixIsGiven() throws Exception {
    seeder.runInstances(A, "us-east-1", 2, Map.of("Backup", "nightly"));
    String prefix = "r" + UUID.randomUUID().toString().substring(0, 8);
    assertThat(cli().run("queues", "create", "--queue-prefix", prefix).exitCode()).isZero();

    Cli.Result r =
        cli()
            .run(
                "run",
                "--targets",
                targets().toString(),
                "--poll-interval",
                "1s",
                "--queue-prefix",
                prefix);

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.err()).doesNotContain("embedded queue");
    assertThat(r.out()).contains("2 result(s): 2 succeeded");
  }

  @Test
  @Timeout(180)
  void aRunWhoseResultsQueueCannotBeReadStopsAndSaysSoInsteadOfWaitingForever() throws Exception {
    seeder.runInstances(A, "us-east-1", 1, Map.of("Backup", "nightly"));
    String prefix = "r" + UUID.randomUUID().toString().substring(0, 8);
    assertThat(cli().run("queues", "create", "--queue-prefix", prefix).exitCode()).isZero();

    Cli.Result r =
        cli()
            .run(
                "run",
                "--targets",
                targets().toString(),
                "--queue-prefix",
                prefix,
                "--results-queue",
                emulator.endpoint() + "/123456789012/" + prefix + "-gone",
                "--shutdown-timeout",
                "2s");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("reading the results queue failed");
    assertThat(r.out()).contains("did not finish");
  }

  @Test
  void runOverEmbeddedElasticMqMakesTheSameImages() throws Exception {
    seeder.runInstances(A, "us-east-1", 2, Map.of("Backup", "nightly"));
    seeder.runInstances(B, "eu-west-1", 1, Map.of("Backup", "nightly"));

    Cli.Result r =
        cli()
            .run(
                "run",
                "--targets",
                targets().toString(),
                "--poll-interval",
                "1s",
                "--embedded-queue",
                "elasticmq",
                "--stats");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("3 result(s): 3 succeeded, 0 failed, 0 timed out");
    // Over ElasticMQ the queue is real SQS protocol: its calls are counted by the SDK.
    assertThat(r.out()).contains("SQS.ReceiveMessage").contains("SQS.SendMessageBatch");
    assertThat(imageIds(A)).hasSize(2);
    assertThat(imageIds(B)).hasSize(1);
  }

  @Test
  void anUnknownEmbeddedQueueExitsTwoBeforeAnythingIsSent() throws Exception {
    seeder.runInstances(A, "us-east-1", 1, Map.of("Backup", "nightly"));

    Cli.Result r =
        cli().run("run", "--targets", targets().toString(), "--embedded-queue", "rabbitmq");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("--embedded-queue").contains("rabbitmq");
    assertThat(imageIds(A)).isEmpty();
  }

  @Test
  void badTargetsExitTwo() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "accounts:\n  - id: 111111111111\n");

    Cli.Result r = cli().run("run", "--targets", file.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("accounts[0].id").contains("quotes");
  }
}
