package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.amifleet.cli.testing.Cli;
import io.amifleet.common.json.Json;
import io.amifleet.common.message.JobIds;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The ExternalId is never printed or logged, in any form, by any command: a whole flow runs as real
 * processes (the packaged jar, logs included) with the ExternalId in the environment, poison
 * messages holding it are put on the jobs queue, and every output and the run report are searched
 * for it.
 */
class SecretsIT {
  private static final Path JAR = Path.of("target/amifleet.jar");
  private static final String A = "111111111111";

  /** The ExternalId; {@link #FRAGMENT} is what no output may contain, even cut short. */
  private static final String SECRET = "SeCrEtExTeRnAlId-4f1c9a";

  private static final String FRAGMENT = "SeCrEtExTeRn";

  private final Emulator emulator = SharedEmulator.get();
  private final ObjectMapper mapper = Json.newMapper();
  private final Map<String, String> outputs = new LinkedHashMap<>();
  private EmulatedAws aws;
  private Seeder seeder;
  private String prefix;
  @TempDir Path dir;

  /** What one process printed. */
  private record Run(int exitCode, String out, String err) {}

  @BeforeEach
  void setUp() {
    assertThat(JAR)
        .as("the packaged jar (built by mvn package before the integration tests)")
        .exists();
    emulator.reset();
    aws = new EmulatedAws(emulator.endpoint(), Cli.REGION);
    seeder = new Seeder(aws);
    prefix = "x" + UUID.randomUUID().toString().substring(0, 8);
    assertThat(new Cli(emulator, Map.of()).run("queues", "create", "--prefix", prefix).exitCode())
        .isZero();
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  /** Runs amifleet as a process with the ExternalId in its environment; keeps what it printed. */
  private Run amifleet(String name, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(javaBin(), "-jar", JAR.toString()));
    command.addAll(List.of(args));
    command.addAll(
        List.of("--endpoint-url", emulator.endpoint().toString(), "--region", Cli.REGION));
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> env = pb.environment();
    env.put("AWS_ACCESS_KEY_ID", EmulatedAws.ACCESS_KEY);
    env.put("AWS_SECRET_ACCESS_KEY", EmulatedAws.SECRET_KEY);
    env.remove("AWS_SESSION_TOKEN");
    env.remove("AWS_PROFILE");
    env.put("AMIFLEET_EXTERNAL_ID", SECRET);
    Process p = pb.start();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(name + " did not finish in 3 minutes");
    }
    Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    outputs.put(name + " (stdout)", r.out());
    outputs.put(name + " (stderr)", r.err());
    return r;
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private String queueUrl(SqsClient sqs, String suffix) {
    return sqs.getQueueUrl(b -> b.queueName(prefix + "-" + suffix)).queueUrl();
  }

  private int depth(SqsClient sqs, String suffix) {
    var attrs =
        sqs.getQueueAttributes(
                b ->
                    b.queueUrl(queueUrl(sqs, suffix))
                        .attributeNamesWithStrings(
                            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"))
            .attributesAsStrings();
    return Integer.parseInt(attrs.get("ApproximateNumberOfMessages"))
        + Integer.parseInt(attrs.get("ApproximateNumberOfMessagesNotVisible"));
  }

  @Test
  void theExternalIdIsNeverPrintedNorLoggedByAnyCommand() throws Exception {
    List<String> instances =
        seeder.runInstances(A, Cli.REGION, 2, Map.of("Backup", "nightly", "Name", "web"));
    Path targets = dir.resolve("targets.yaml");
    Files.writeString(
        targets,
        """
        defaults:
          externalId: ${AMIFLEET_EXTERNAL_ID}
          regions: [us-east-1]
          select: {tags: {Backup: nightly}}
        accounts:
          - id: "111111111111"
        """);
    Path misconfigured = dir.resolve("misconfigured.yaml");
    Files.writeString(
        misconfigured,
        """
        defaults:
          externalId: ${AMIFLEET_EXTERNAL_ID}
          regions: [us-east-1]
          select: {all: true}
        accounts:
          - id: "111111111111"
            roleName: "${AMIFLEET_EXTERNAL_ID}!"
        """);
    Path report = dir.resolve("report.json");

    // The jobs as a dry run prints them, and a config error that would echo the value.
    Run dryRun =
        amifleet(
            "dry-run",
            "dispatch",
            "--targets",
            targets.toString(),
            "--dry-run",
            "--output",
            "json");
    Run badConfig =
        amifleet("bad-config", "dispatch", "--targets", misconfigured.toString(), "--dry-run");

    // Jobs on the queue (they carry the ExternalId), then a results reader pointed at them.
    Run dispatched =
        amifleet(
            "dispatch",
            "dispatch",
            "--targets",
            targets.toString(),
            "--queue-prefix",
            prefix,
            "--run-id",
            "s1");
    Run wrongQueue =
        amifleet(
            "results-on-jobs-queue",
            "results",
            "--queue-prefix",
            prefix,
            "--results-queue",
            prefix + "-jobs",
            "--keep",
            "--idle",
            "3s",
            "--output",
            "json");
    Run wrongQueueNoKeep =
        amifleet(
            "results-on-jobs-queue-no-keep",
            "results",
            "--queue-prefix",
            prefix,
            "--results-queue",
            prefix + "-jobs",
            "--idle",
            "3s");

    // Poison holding the ExternalId: not JSON, a field the parser rejects quoting it, and a job
    // whose job ID belongs to another instance (no result: the ID it carries is another job's).
    MessageCodec codec = new MessageCodec(mapper);
    String otherId = JobIds.jobId("s1", A, Cli.REGION, instances.get(1));
    JobMessage forFirst =
        JobMessage.of(
            JobIds.jobId("s1", A, Cli.REGION, instances.get(0)),
            "s1",
            A,
            Cli.REGION,
            "arn:aws:iam::111111111111:role/AmiFleetCreator",
            SECRET,
            instances.get(0),
            "web-poison-" + JobIds.shortJobId(otherId),
            false,
            Map.of(),
            false,
            Instant.now());
    String mismatched = codec.encode(forFirst).replace(forFirst.jobId(), otherId);
    try (SqsClient sqs =
        SqsClient.builder()
            .endpointOverride(emulator.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(EmulatedAws.hubCredentials())
            .build()) {
      assertThat(depth(sqs, "jobs")).as("results left the jobs where they were").isEqualTo(2);
      String jobs = queueUrl(sqs, "jobs");
      for (String body :
          List.of(
              "{\"v\":1,\"externalId\": " + SECRET + ", \"jobId\": ",
              "{\"v\":1,\"jobId\":\"" + SECRET + "!\",\"externalId\":\"" + SECRET + "\"}",
              mismatched)) {
        sqs.sendMessage(b -> b.queueUrl(jobs).messageBody(body));
      }
    }

    Run worker =
        amifleet(
            "worker",
            "worker",
            "--queue-prefix",
            prefix,
            "--exit-when-idle",
            "4s",
            "--poll-interval",
            "1s");
    Run results =
        amifleet(
            "results",
            "results",
            "--queue-prefix",
            prefix,
            "--run-id",
            "s1",
            "--expect",
            "2",
            "--timeout",
            "1m",
            "--output",
            "json");
    Run dlqTable = amifleet("dlq-list", "dlq", "list", "--queue-prefix", prefix);
    Run dlqJson =
        amifleet("dlq-list-json", "dlq", "list", "--queue-prefix", prefix, "--output", "json");
    Run run =
        amifleet(
            "run",
            "run",
            "--targets",
            targets.toString(),
            "-v",
            "--report",
            report.toString(),
            "--run-id",
            "s2",
            "--poll-interval",
            "1s");
    outputs.put("run report", Files.readString(report));

    // Each command did its work: the search below is over real output.
    assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
    JsonNode dry = mapper.readTree(dryRun.out());
    assertThat(dry.get("jobs")).hasSize(2);
    assertThat(dry.get("jobs").get(0).get("roleArn").asText()).endsWith(":role/AmiFleetCreator");
    assertThat(badConfig.exitCode()).isEqualTo(2);
    assertThat(badConfig.err()).contains("roleName: '****!' is not a valid IAM role name");
    assertThat(dispatched.exitCode()).as(dispatched.err()).isZero();
    assertThat(wrongQueue.exitCode()).isEqualTo(1);
    assertThat(wrongQueue.err()).contains("2 message(s) on the results queue are not results");
    assertThat(wrongQueueNoKeep.err())
        .contains("2 message(s) on the results queue are not results");
    assertThat(worker.exitCode()).as(worker.err()).isZero();
    assertThat(worker.err()).contains("poison, moved to the DLQ");
    assertThat(results.exitCode()).as(results.err()).isZero();
    assertThat(results.out().lines()).hasSize(2);
    assertThat(dlqTable.out())
        .contains("InvalidMessage")
        .contains("Unrecognized token '****'")
        .contains("jobId is not valid: '****!'");
    assertThat(dlqJson.out().lines()).hasSize(3);
    assertThat(dlqJson.out())
        .contains("does not belong to this job's")
        .contains("\"body\":\"{\\\"v\\\":1,\\\"externalId\\\": ****");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).as("-v logs every job").contains("SUCCEEDED");

    assertThat(outputs)
        .allSatisfy((what, text) -> assertThat(text).as(what).doesNotContain(FRAGMENT));
  }
}
