package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.amifleet.cli.testing.Cli;
import io.amifleet.common.json.Json;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distributed pipeline as an operator drives it: queues, dispatch, worker, results. */
class PipelineIT {
  private final Emulator emulator = SharedEmulator.get();
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

  @Test
  void dispatchedJobsAreImagedAndReportedOnceEachEvenWhenDispatchedTwice() throws Exception {
    seeder.runInstances("111111111111", "us-east-1", 3, Map.of("Backup", "nightly"));
    seeder.runInstances("222222222222", "us-east-1", 2, Map.of("Backup", "nightly"));
    seeder.runInstances("222222222222", "us-east-1", 2, Map.of());
    Path targets = dir.resolve("targets.yaml");
    Files.writeString(
        targets,
        """
        defaults:
          regions: [us-east-1]
          externalId: ${AMIFLEET_EXTERNAL_ID}
          select: {tags: {Backup: nightly}}
        accounts:
          - id: "111111111111"
          - id: "222222222222"
        """);
    String prefix = "p" + UUID.randomUUID().toString().substring(0, 8);
    Cli cli = new Cli(emulator, Map.of("AMIFLEET_EXTERNAL_ID", "ext-1"));
    assertThat(cli.run("queues", "create", "--queue-prefix", prefix).exitCode()).isZero();

    Cli.Result dispatch =
        cli.run(
            "dispatch",
            "--targets",
            targets.toString(),
            "--queue-prefix",
            prefix,
            "--run-id",
            "nightly-1",
            "--output",
            "json");
    // The same run dispatched again: same job IDs, so the images are adopted, not made twice.
    Cli.Result again =
        cli.run(
            "dispatch",
            "--targets",
            targets.toString(),
            "--queue-prefix",
            prefix,
            "--run-id",
            "nightly-1");
    Cli.Result worker =
        cli.run(
            "worker", "--queue-prefix", prefix, "--exit-when-idle", "3s", "--poll-interval", "1s");
    Cli.Result results =
        cli.run(
            "results",
            "--queue-prefix",
            prefix,
            "--run-id",
            "nightly-1",
            "--expect",
            "5",
            "--timeout",
            "60s",
            "--output",
            "json");

    assertThat(dispatch.exitCode()).as(dispatch.toString()).isZero();
    JsonNode summary = Json.newMapper().readTree(dispatch.out());
    assertThat(summary.get("jobCount").asInt()).isEqualTo(5);
    assertThat(again.exitCode()).isZero();
    assertThat(worker.exitCode()).as(worker.toString()).isZero();
    assertThat(results.exitCode()).as(results.toString()).isZero();
    MessageCodec codec = new MessageCodec(Json.newMapper());
    List<ResultMessage> lines = results.out().lines().map(codec::decodeResult).toList();
    assertThat(lines).hasSize(5).allMatch(ResultMessage::succeeded);
    assertThat(seeder.ownedImages("111111111111", "us-east-1")).hasSize(3);
    assertThat(seeder.ownedImages("222222222222", "us-east-1")).hasSize(2);

    Cli.Result table =
        cli.run("results", "--queue-prefix", prefix, "--idle", "2s", "--timeout", "20s");
    assertThat(table.out())
        .as("the duplicate deliveries' results, read as a table")
        .contains("succeeded");
  }
}
