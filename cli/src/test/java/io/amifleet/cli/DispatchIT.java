package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.amifleet.cli.testing.Cli;
import io.amifleet.common.json.Json;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import io.amifleet.testing.fault.RequestFaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** {@code queues create} and {@code dispatch} through the command line, against moto. */
class DispatchIT {
  private static final String A = "111111111111";
  private static final String B = "222222222222";
  private static final String C = "333333333333";

  private final Emulator emulator = SharedEmulator.get();
  private final MessageCodec codec = new MessageCodec(Json.newMapper());
  private EmulatedAws aws;
  private Seeder seeder;
  private SqsClient sqs;
  private String prefix;
  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    emulator.reset();
    aws = new EmulatedAws(emulator.endpoint(), Cli.REGION);
    seeder = new Seeder(aws);
    sqs =
        SqsClient.builder()
            .endpointOverride(emulator.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(EmulatedAws.hubCredentials())
            .build();
    prefix = "d" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void tearDown() {
    sqs.close();
    aws.close();
  }

  private Cli cli() {
    return new Cli(emulator, Map.of("AMIFLEET_EXTERNAL_ID", "ext-42"));
  }

  private Path targets(String yaml) throws Exception {
    Path file = dir.resolve("targets.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private List<JobMessage> enqueuedJobs() {
    String url = sqs.getQueueUrl(b -> b.queueName(prefix + "-jobs")).queueUrl();
    List<JobMessage> jobs = new ArrayList<>();
    while (true) {
      List<Message> got =
          sqs.receiveMessage(
                  b ->
                      b.queueUrl(url)
                          .maxNumberOfMessages(10)
                          .waitTimeSeconds(0)
                          .visibilityTimeout(60))
              .messages();
      if (got.isEmpty()) {
        return jobs;
      }
      got.forEach(m -> jobs.add(codec.decodeJob(m.body())));
    }
  }

  private int depth(String suffix) {
    String url = sqs.getQueueUrl(b -> b.queueName(prefix + suffix)).queueUrl();
    return Integer.parseInt(
        sqs.getQueueAttributes(
                b ->
                    b.queueUrl(url)
                        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
            .attributes()
            .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
  }

  @Test
  void queuesCreateMakesJobsQueueRedrivingToTheDlq() {
    Cli.Result r =
        cli().run("queues", "create", "--queue-prefix", prefix, "--max-receive-count", "3");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains(prefix + "-jobs", prefix + "-results", prefix + "-dlq");
    String jobs = sqs.getQueueUrl(b -> b.queueName(prefix + "-jobs")).queueUrl();
    String policy =
        sqs.getQueueAttributes(
                b -> b.queueUrl(jobs).attributeNames(QueueAttributeName.REDRIVE_POLICY))
            .attributes()
            .get(QueueAttributeName.REDRIVE_POLICY);
    assertThat(policy).contains(prefix + "-dlq").contains("3");
    assertThat(
            cli()
                .run("queues", "create", "--queue-prefix", prefix, "--max-receive-count", "3")
                .exitCode())
        .as("repeating it is harmless")
        .isZero();
  }

  @Test
  void dispatchResolvesTagsIdsAndWholeAccountsIntoOneJobPerInstance() throws Exception {
    List<String> aTagged =
        seeder.runInstances(A, "us-east-1", 3, Map.of("Environment", "production", "Name", "web"));
    seeder.runInstances(A, "us-east-1", 2, Map.of("Environment", "staging"));
    List<String> aEu = seeder.runInstances(A, "eu-west-1", 1, Map.of("Environment", "production"));
    List<String> bAll = seeder.runInstances(B, "us-east-1", 2, Map.of());
    List<String> bStopped = seeder.runInstances(B, "us-east-1", 1, Map.of());
    seeder.stopInstances(B, "us-east-1", bStopped);
    List<String> bTerminated = seeder.runInstances(B, "us-east-1", 1, Map.of());
    seeder.terminateInstances(B, "us-east-1", bTerminated);
    List<String> cListed = seeder.runInstances(C, "eu-west-1", 2, Map.of());
    seeder.terminateInstances(C, "eu-west-1", List.of(cListed.get(1)));
    Path file =
        targets(
            """
            defaults:
              externalId: ${AMIFLEET_EXTERNAL_ID}
              regions: [us-east-1]
              tags: {Purpose: nightly}
            accounts:
              - id: "111111111111"
                name: web
                regions: [us-east-1, eu-west-1]
                select:
                  tags: {Environment: production}
              - id: "222222222222"
                select: {all: true}
              - id: "333333333333"
                regions: [us-east-1, eu-west-1]
                roleArn: arn:aws:iam::333333333333:role/CrossAccount
                select:
                  instanceIds: [%s, %s, i-0123456789abcdef0]
            """
                .formatted(cListed.get(0), cListed.get(1)));
    cli().run("queues", "create", "--queue-prefix", prefix);

    Cli.Result r =
        cli()
            .run(
                "dispatch",
                "--targets",
                file.toString(),
                "--queue-prefix",
                prefix,
                "--output",
                "json");

    assertThat(r.exitCode())
        .as("missing and terminated listed instances make exit 1: " + r)
        .isEqualTo(1);
    JsonNode summary = Json.newMapper().readTree(r.out());
    assertThat(summary.get("runId").asText()).matches("\\d{8}T\\d{6}Z-[0-9a-f]{6}");
    assertThat(summary.get("jobCount").asInt()).isEqualTo(3 + 1 + 3 + 1);
    assertThat(summary.get("enqueued").asInt()).isEqualTo(8);
    JsonNode c = summary.get("accounts").get(2);
    assertThat(c.get("missing").get(0).asText()).isEqualTo("i-0123456789abcdef0");
    assertThat(c.get("skipped").get(0).asText()).startsWith(cListed.get(1) + " (terminated");

    List<JobMessage> jobs = enqueuedJobs();
    assertThat(jobs).hasSize(8);
    assertThat(jobs.stream().map(JobMessage::instanceId))
        .containsExactlyInAnyOrder(
            aTagged.get(0),
            aTagged.get(1),
            aTagged.get(2),
            aEu.get(0),
            bAll.get(0),
            bAll.get(1),
            bStopped.get(0),
            cListed.get(0));
    JobMessage web =
        jobs.stream().filter(j -> j.instanceId().equals(aTagged.get(0))).findFirst().orElseThrow();
    assertThat(web.roleArn()).isEqualTo("arn:aws:iam::111111111111:role/AmiFleetCreator");
    assertThat(web.externalId()).isEqualTo("ext-42");
    assertThat(web.imageName()).startsWith("web-").endsWith(web.jobId().substring(0, 8));
    assertThat(web.tags()).containsEntry("Purpose", "nightly");
    assertThat(web.runId()).isEqualTo(summary.get("runId").asText());
    JobMessage listed =
        jobs.stream().filter(j -> j.accountId().equals(C)).findFirst().orElseThrow();
    assertThat(listed.roleArn()).isEqualTo("arn:aws:iam::333333333333:role/CrossAccount");
    assertThat(listed.region()).isEqualTo("eu-west-1");
  }

  @Test
  void anUnreachableAccountIsReportedAndTheOthersAreStillDispatched() throws Exception {
    seeder.runInstances(A, "us-east-1", 2, Map.of());
    seeder.runInstances(B, "us-east-1", 2, Map.of());
    Path file =
        targets(
            """
            defaults: {regions: [us-east-1], select: {all: true}}
            accounts:
              - id: "111111111111"
              - id: "222222222222"
            """);
    cli().run("queues", "create", "--queue-prefix", prefix);

    Cli.Result r =
        cli()
            .intercept(RequestFaults.assumeRoleDenied(B))
            .run("dispatch", "--targets", file.toString(), "--queue-prefix", prefix);

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.out())
        .contains("222222222222")
        .contains("AccessDenied")
        .contains("2 of 2 job(s) enqueued");
    assertThat(enqueuedJobs()).hasSize(2).allMatch(j -> j.accountId().equals(A));
  }

  @Test
  void dryRunPrintsTheJobsAndSendsNothing() throws Exception {
    seeder.runInstances(A, "us-east-1", 2, Map.of("Name", "api"));
    Path file =
        targets(
            "defaults: {regions: [us-east-1]}\naccounts:\n  - {id: \"111111111111\", select: {all: true}}\n");
    cli().run("queues", "create", "--queue-prefix", prefix);

    Cli.Result r =
        cli()
            .run(
                "dispatch",
                "--targets",
                file.toString(),
                "--queue-prefix",
                prefix,
                "--dry-run",
                "--run-id",
                "r1");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("api-").contains("dry run, 2 job(s) built, nothing sent");
    assertThat(depth("-jobs")).isZero();
  }

  @Test
  void badTargetsFileExitsTwoNamingFileAccountAndFieldBeforeAnythingIsSent() throws Exception {
    seeder.runInstances(A, "us-east-1", 1, Map.of());
    Path file =
        targets(
            """
            defaults: {regions: [us-east-1]}
            accounts:
              - id: "111111111111"
                select: {all: true}
              - id: "22222222222"
                select: {tags: {Env: prod}}
            """);
    cli().run("queues", "create", "--queue-prefix", prefix);

    Cli.Result r = cli().run("dispatch", "--targets", file.toString(), "--queue-prefix", prefix);

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains(file.toString())
        .contains("accounts[1]")
        .contains(".id")
        .contains("12-digit");
    assertThat(depth("-jobs")).isZero();
  }

  @Test
  void aMissingQueueExitsTwoBeforeAnyAccountIsSearched() throws Exception {
    Path file =
        targets(
            "defaults: {regions: [us-east-1]}\naccounts:\n  - {id: \"111111111111\", select: {all: true}}\n");
    RequestFaults anyAssume =
        new RequestFaults(
            req -> req instanceof software.amazon.awssdk.services.sts.model.AssumeRoleRequest,
            "AccessDenied",
            403);

    Cli.Result r =
        cli()
            .intercept(anyAssume)
            .run("dispatch", "--targets", file.toString(), "--queue-prefix", "nosuch");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("queue 'nosuch-jobs' does not exist");
    assertThat(anyAssume.injected()).as("no account was touched").isZero();
  }

  @Test
  void targetsAreReadFromS3AndEmfMetricsFollowTheSummary() throws Exception {
    seeder.runInstances(A, "us-east-1", 2, Map.of());
    try (var s3 =
        software.amazon.awssdk.services.s3.S3Client.builder()
            .endpointOverride(emulator.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(EmulatedAws.hubCredentials())
            .forcePathStyle(true)
            .build()) {
      s3.createBucket(b -> b.bucket("fleet-config"));
      s3.putObject(
          b -> b.bucket("fleet-config").key("nightly/targets.yaml"),
          software.amazon.awssdk.core.sync.RequestBody.fromString(
              "defaults: {regions: [us-east-1]}\naccounts:\n  - {id: \"111111111111\", select: {all: true}}\n"));
    }
    cli().run("queues", "create", "--queue-prefix", prefix);

    Cli.Result r =
        cli()
            .run(
                "dispatch",
                "--targets",
                "s3://fleet-config/nightly/targets.yaml",
                "--queue-prefix",
                prefix,
                "--output",
                "json",
                "--metrics",
                "emf");
    Cli.Result missing =
        cli().run("dispatch", "--targets", "s3://fleet-config/nope.yaml", "--queue-prefix", prefix);

    assertThat(r.exitCode()).as(r.toString()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(Json.newMapper().readTree(lines.get(0)).get("jobCount").asInt()).isEqualTo(2);
    JsonNode emf = Json.newMapper().readTree(lines.get(1));
    assertThat(emf.at("/_aws/CloudWatchMetrics/0/Namespace").asText()).isEqualTo("AmiFleet");
    assertThat(emf.at("/_aws/CloudWatchMetrics/0/Metrics/0/Name").asText())
        .isEqualTo("JobsDispatched");
    assertThat(emf.get("JobsDispatched").asInt()).isEqualTo(2);
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("s3://fleet-config/nope.yaml").contains("NoSuchKey");
  }

  @Test
  void noQueueGivenIsAUsageError() throws Exception {
    Path file =
        targets(
            "defaults: {regions: [us-east-1]}\naccounts:\n  - {id: \"111111111111\", select: {all: true}}\n");

    Cli.Result r = cli().run("dispatch", "--targets", file.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--queue-prefix").contains("AMIFLEET_QUEUE_PREFIX");
  }

  @Test
  void aScheduleDeliveredTwiceSendsTheSameJobIdsTwice() throws Exception {
    // The hub stack's schedule passes the scheduled time in AMIFLEET_RUN_ID; a second delivery of
    // the same schedule must make the same jobs, which the workers then adopt.
    seeder.runInstances(A, "us-east-1", 3, Map.of("Name", "api"));
    Path file =
        targets(
            "defaults: {regions: [us-east-1]}\naccounts:\n  - {id: \"111111111111\", select: {all: true}}\n");
    Cli scheduled =
        new Cli(
            emulator,
            Map.of(
                "AMIFLEET_EXTERNAL_ID",
                "ext-42",
                "AMIFLEET_RUN_ID",
                "scheduled-2026-11-28T02:00:00Z"));
    cli().run("queues", "create", "--queue-prefix", prefix);

    List<String> runIds = new ArrayList<>();
    for (int delivery = 0; delivery < 2; delivery++) {
      Cli.Result r =
          scheduled.run(
              "dispatch",
              "--targets",
              file.toString(),
              "--queue-prefix",
              prefix,
              "--output",
              "json");
      assertThat(r.exitCode()).as(r.toString()).isZero();
      runIds.add(Json.newMapper().readTree(r.out()).get("runId").asText());
    }

    assertThat(runIds).containsOnly("scheduled-2026-11-28T02:00:00Z");
    List<JobMessage> jobs = enqueuedJobs();
    assertThat(jobs).hasSize(6);
    assertThat(jobs.stream().map(JobMessage::jobId).distinct()).hasSize(3);
  }

  @Test
  void aBadRunIdInTheEnvironmentIsAConfigErrorNamingTheVariable() throws Exception {
    Path file =
        targets(
            "defaults: {regions: [us-east-1]}\naccounts:\n  - {id: \"111111111111\", select: {all: true}}\n");
    cli().run("queues", "create", "--queue-prefix", prefix);

    Cli.Result r =
        new Cli(emulator, Map.of("AMIFLEET_RUN_ID", "night of <aws.scheduler.scheduled-time>"))
            .run("dispatch", "--targets", file.toString(), "--queue-prefix", prefix);

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("AMIFLEET_RUN_ID").contains("night of");
    assertThat(depth("-jobs")).isZero();
  }
}
