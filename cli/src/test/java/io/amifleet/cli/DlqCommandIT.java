package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.amifleet.cli.testing.Cli;
import io.amifleet.common.json.Json;
import io.amifleet.common.message.JobIds;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/** The operator's DLQ routine through the command line: list, dry run, fix, replay. */
class DlqCommandIT {
  private final Emulator emulator = SharedEmulator.get();
  private EmulatedAws aws;
  private Seeder seeder;
  private Cli cli;
  private String prefix;
  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    emulator.reset();
    aws = new EmulatedAws(emulator.endpoint(), Cli.REGION);
    seeder = new Seeder(aws);
    cli = new Cli(emulator, Map.of());
    prefix = "q" + UUID.randomUUID().toString().substring(0, 8);
    assertThat(cli.run("queues", "create", "--queue-prefix", prefix).exitCode()).isZero();
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  @Test
  void jobsOfAnAccountNotAllowedAreListedThenReplayedAfterTheFix() throws Exception {
    seeder.runInstances("111111111111", Cli.REGION, 2, Map.of());
    seeder.runInstances("222222222222", Cli.REGION, 3, Map.of());
    Path targets = dir.resolve("targets.yaml");
    Files.writeString(
        targets,
        "defaults: {regions: [us-east-1], select: {all: true}}\naccounts:\n  - id: \"111111111111\"\n  - id: \"222222222222\"\n");
    assertThat(
            cli.run(
                    "dispatch",
                    "--targets",
                    targets.toString(),
                    "--queue-prefix",
                    prefix,
                    "--run-id",
                    "d1")
                .exitCode())
        .isZero();
    Cli.Result strict =
        cli.run(
            "worker",
            "--queue-prefix",
            prefix,
            "--allow-account",
            "111111111111",
            "--exit-when-idle",
            "3s",
            "--poll-interval",
            "1s");
    assertThat(strict.exitCode()).isZero();

    Cli.Result list = cli.run("dlq", "list", "--queue-prefix", prefix);
    assertThat(list.exitCode()).isZero();
    assertThat(list.out())
        .contains("222222222222")
        .contains("AccountNotAllowed")
        .contains("3 message(s) shown; nothing was moved");
    Cli.Result json = cli.run("dlq", "list", "--queue-prefix", prefix, "--output", "json");
    assertThat(json.out().lines())
        .hasSize(3)
        .allSatisfy(
            line -> {
              try {
                assertThat(Json.newMapper().readTree(line).get("errorCode").asText())
                    .isEqualTo("AccountNotAllowed");
              } catch (Exception e) {
                throw new AssertionError(line, e);
              }
            });
    Cli.Result dry =
        cli.run(
            "dlq", "replay", "--queue-prefix", prefix, "--account", "222222222222", "--dry-run");
    assertThat(dry.out()).contains("dry run: 3 message(s) would move; nothing was moved");
    assertThat(
            cli.run("dlq", "replay", "--queue-prefix", prefix, "--account", "333333333333").out())
        .contains("moved 0 message(s) back to the jobs queue; 3 stayed in the DLQ");

    Cli.Result replay =
        cli.run("dlq", "replay", "--queue-prefix", prefix, "--error-code", "AccountNotAllowed");
    assertThat(replay.exitCode()).as(replay.toString()).isZero();
    assertThat(replay.out())
        .contains("moved 3 message(s) back to the jobs queue; 0 stayed in the DLQ");
    Cli.Result fixed =
        cli.run(
            "worker", "--queue-prefix", prefix, "--exit-when-idle", "3s", "--poll-interval", "1s");
    assertThat(fixed.exitCode()).isZero();

    assertThat(seeder.ownedImages("222222222222", Cli.REGION)).hasSize(3);
    assertThat(cli.run("dlq", "list", "--queue-prefix", prefix).out())
        .contains("0 message(s) shown");
  }

  @Test
  void replayAllFallsBackToOneByOneWhereMoveTasksAreMissing() throws Exception {
    seeder.runInstances("222222222222", Cli.REGION, 2, Map.of());
    Path targets = dir.resolve("targets.yaml");
    Files.writeString(
        targets,
        "defaults: {regions: [us-east-1], select: {all: true}}\naccounts:\n  - id: \"222222222222\"\n");
    cli.run("dispatch", "--targets", targets.toString(), "--queue-prefix", prefix);
    cli.run(
        "worker",
        "--queue-prefix",
        prefix,
        "--allow-account",
        "111111111111",
        "--exit-when-idle",
        "3s");

    Cli.Result all = cli.run("dlq", "replay", "--queue-prefix", prefix, "--all");

    assertThat(all.exitCode()).as(all.toString()).isZero();
    assertThat(all.out()).contains("moved 2 message(s) back to the jobs queue");
  }

  @Test
  void replayFlagsAreChecked() {
    assertThat(cli.run("dlq", "replay", "--queue-prefix", prefix, "--account", "12").exitCode())
        .isEqualTo(2);
    assertThat(cli.run("dlq", "replay", "--queue-prefix", prefix, "--all", "--dry-run").exitCode())
        .isEqualTo(2);
  }

  /** Puts a body straight on the DLQ, as a worker would for poison, with its attributes. */
  private void poison(String body, String errorCode, String receiveCount) {
    try (SqsClient sqs =
        SqsClient.builder()
            .endpointOverride(emulator.endpoint())
            .region(Region.of(Cli.REGION))
            .credentialsProvider(EmulatedAws.hubCredentials())
            .build()) {
      String url = sqs.getQueueUrl(b -> b.queueName(prefix + "-dlq")).queueUrl();
      sqs.sendMessage(
          b ->
              b.queueUrl(url)
                  .messageBody(body)
                  .messageAttributes(
                      Map.of(
                          "amifleet-error-code", attribute(errorCode),
                          "amifleet-error-message", attribute("poison: " + errorCode),
                          "amifleet-receive-count", attribute(receiveCount))));
    }
  }

  private static MessageAttributeValue attribute(String value) {
    return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
  }

  /** A retention job of {@code runId}, with the job ID the dispatcher would give it. */
  private static String pruneJob(String runId) {
    return """
        {"v":1,"kind":"prune","jobId":"%s","runId":"%s","accountId":"111111111111",\
        "region":"eu-west-1","roleArn":"arn:aws:iam::111111111111:role/AmiFleetCreator",\
        "keepLast":3}"""
        .formatted(JobIds.pruneJobId(runId, "111111111111", "eu-west-1"), runId);
  }

  private static final String PRUNE_JOB = pruneJob("night-1");

  @Test
  void anErrorCodeMatchesInAnyCaseAndAMissHintsAtTheCodesPresent() {
    poison(PRUNE_JOB, "AccountNotAllowed", "1");
    poison(pruneJob("night-2"), "AccountNotAllowed", "1");

    Cli.Result miss =
        cli.run("dlq", "replay", "--queue-prefix", prefix, "--error-code", "AccessDenied");
    assertThat(miss.out())
        .contains("moved 0 message(s)")
        .contains(
            "no message has error code 'AccessDenied'; codes in the DLQ: AccountNotAllowed (2)");

    Cli.Result anyCase =
        cli.run("dlq", "replay", "--queue-prefix", prefix, "--error-code", "accountnotallowed");
    assertThat(anyCase.exitCode()).as(anyCase.toString()).isZero();
    assertThat(anyCase.out()).contains("moved 2 message(s) back to the jobs queue; 0 stayed");
  }

  @Test
  void replaySkipsMessagesThatAreNotJobsUnlessAskedAndSaysHowMany() throws Exception {
    poison("this is not json", "NotJson", "1");
    poison(PRUNE_JOB, "AccessDenied", "2");

    Cli.Result plain = cli.run("dlq", "replay", "--queue-prefix", prefix);
    assertThat(plain.exitCode()).as(plain.toString()).isZero();
    assertThat(plain.out())
        .contains("moved 1 message(s) back to the jobs queue; 1 stayed in the DLQ")
        .contains("1 message(s) cannot be read as jobs and were left in the DLQ")
        .contains("--include-unreadable");

    Cli.Result json =
        cli.run("dlq", "replay", "--queue-prefix", prefix, "--include-unreadable", "-o", "json");
    JsonNode doc = Json.newMapper().readTree(json.out());
    assertThat(doc.get("moved").isNumber()).isTrue();
    assertThat(doc.get("moved").asInt()).isEqualTo(1);
    assertThat(doc.get("skippedUnreadable").asInt()).isZero();
    assertThat(cli.run("dlq", "list", "--queue-prefix", prefix).out())
        .contains("0 message(s) shown");
  }

  @Test
  void listShowsRetentionJobsWithTheirRegionAndRunAndCountsAsNumbers() throws Exception {
    poison(PRUNE_JOB, "AccessDenied", "3");

    Cli.Result table = cli.run("dlq", "list", "--queue-prefix", prefix);
    String row =
        table.out().lines().filter(l -> l.contains("AccessDenied")).findFirst().orElseThrow();
    assertThat(row)
        .contains("night-1")
        .contains("111111111111")
        .contains("eu-west-1")
        .contains("(retention)");
    assertThat(table.out().lines().findFirst().orElseThrow()).contains("RUN");

    JsonNode line =
        Json.newMapper()
            .readTree(cli.run("dlq", "list", "--queue-prefix", prefix, "-o", "json").out());
    assertThat(line.get("receiveCount").isNumber()).as(line.toString()).isTrue();
    assertThat(line.get("receiveCount").asInt()).isEqualTo(3);
    assertThat(line.get("region").asText()).isEqualTo("eu-west-1");
    assertThat(line.get("runId").asText()).isEqualTo("night-1");
    assertThat(line.get("kind").asText()).isEqualTo("prune");
  }
}
