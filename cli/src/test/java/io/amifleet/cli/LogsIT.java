package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.amifleet.cli.testing.Cli;
import io.amifleet.cli.testing.JarProcess;
import io.amifleet.common.json.Json;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's logs as a log system receives them (a process whose stderr is not a terminal): one
 * JSON object per line, each job's line with the job's identity as fields; text on request.
 */
class LogsIT {
  private static final String ACCOUNT = "111111111111";

  private final Emulator emulator = SharedEmulator.get();
  private final ObjectMapper mapper = Json.newMapper();
  private EmulatedAws aws;
  private Cli cli;
  private String prefix;
  private String runId;
  private List<String> instances;
  @TempDir Path dir;

  @BeforeEach
  void setUp() throws Exception {
    emulator.reset();
    aws = new EmulatedAws(emulator.endpoint(), Cli.REGION);
    cli = new Cli(emulator, Map.of());
    prefix = "l" + UUID.randomUUID().toString().substring(0, 8);
    runId = "logs-" + UUID.randomUUID().toString().substring(0, 6);
    assertThat(cli.run("queues", "create", "--queue-prefix", prefix).exitCode()).isZero();
    instances = new Seeder(aws).runInstances(ACCOUNT, Cli.REGION, 2, Map.of("Backup", "nightly"));
    Path targets = dir.resolve("targets.yaml");
    Files.writeString(
        targets,
        "defaults: {regions: [us-east-1], select: {tags: {Backup: nightly}}}\n"
            + "accounts:\n  - id: \""
            + ACCOUNT
            + "\"\n");
    Cli.Result r =
        cli.run(
            "dispatch",
            "--targets",
            targets.toString(),
            "--queue-prefix",
            prefix,
            "--run-id",
            runId);
    assertThat(r.exitCode()).as(r.toString()).isZero();
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  private JarProcess jar() {
    return new JarProcess(dir)
        .emulatorCredentials()
        .env("AWS_ENDPOINT_URL", emulator.endpoint().toString());
  }

  /** A worker process that takes the dispatched jobs and exits when the queue is empty. */
  private Cli.Result worker(JarProcess process) throws Exception {
    return process.run(
        Duration.ofMinutes(2),
        "worker",
        "--queue-prefix",
        prefix,
        "--exit-when-idle",
        "3s",
        "--poll-interval",
        "1s");
  }

  @Test
  void offATerminalEveryLogLineIsJsonAndJobLinesCarryTheJobsIdentity() throws Exception {
    Cli.Result r = worker(jar());
    assertThat(r.exitCode()).as(r.toString()).isZero();

    List<JsonNode> lines = new ArrayList<>();
    for (String line : r.err().strip().split("\n")) {
      lines.add(mapper.readTree(line)); // fails on a line that is not JSON
    }
    List<JsonNode> finished =
        lines.stream().filter(l -> l.path("message").asText().contains(": SUCCEEDED in ")).toList();
    assertThat(finished).as(r.err()).hasSize(2);
    for (JsonNode line : finished) {
      assertThat(line.path("accountId").asText()).isEqualTo(ACCOUNT);
      assertThat(line.path("region").asText()).isEqualTo(Cli.REGION);
      assertThat(line.path("runId").asText()).isEqualTo(runId);
      assertThat(line.path("jobId").asText()).hasSize(32);
      assertThat(instances).contains(line.path("instanceId").asText());
      assertThat(line.path("level").asText()).isEqualTo("INFO");
      assertThat(line.path("message").asText()).doesNotContain("null").doesNotContain("PT");
    }
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l.path("message").asText())
                    .contains("worker started")
                    .contains("poll interval 1.0s")
                    .contains("max wait 4h00m"));
  }

  @Test
  void textLogsOnRequest() throws Exception {
    Cli.Result r = worker(jar().env("AMIFLEET_LOG_FORMAT", "text"));

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.err()).contains("worker started").doesNotContain("{\"@timestamp\"");
  }
}
