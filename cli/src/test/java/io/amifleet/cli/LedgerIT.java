package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.amifleet.cli.testing.Cli;
import io.amifleet.common.json.Json;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import io.amifleet.ledger.dynamodb.LedgerTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The run ledger end to end through the realistic EC2 layer: dispatch → worker → collector into the
 * emulator's DynamoDB, the report to its S3, the summary to its SNS (read back through an SQS
 * subscription); and {@code run} on one machine into the local ledger.
 */
class LedgerIT {
  private static final String RUN = "nightly-1";
  private final Emulator emulator = SharedEmulator.get();
  private final ObjectMapper mapper = Json.newMapper();
  private final MessageCodec codec = new MessageCodec(mapper);
  private EmulatedAws aws;
  private Seeder seeder;
  private DynamoDbClient dynamo;
  private SqsClient sqs;
  private SnsClient sns;
  private S3Client s3;
  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    emulator.reset();
    aws = new EmulatedAws(emulator.endpoint(), Cli.REGION);
    seeder = new Seeder(aws);
    dynamo = client(DynamoDbClient.builder());
    sqs = client(SqsClient.builder());
    sns = client(SnsClient.builder());
    s3 = client(S3Client.builder().forcePathStyle(true));
  }

  /** A client of the emulator as the hub. */
  private <B extends AwsClientBuilder<B, C>, C> C client(B builder) {
    return builder
        .endpointOverride(emulator.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(EmulatedAws.hubCredentials())
        .build();
  }

  @AfterEach
  void tearDown() {
    dynamo.close();
    sqs.close();
    sns.close();
    s3.close();
    aws.close();
  }

  /**
   * Kills the collector it is given to after two results were written to the ledger: every call
   * after fails, as if the process had died before deleting what it recorded.
   */
  static final class KillAfterTwoResults implements ExecutionInterceptor {
    final AtomicInteger results = new AtomicInteger();
    final AtomicBoolean dead = new AtomicBoolean();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      if (context.request() instanceof PutItemRequest put
          && put.item().get(LedgerTable.ITEM).s().startsWith(LedgerTable.JOB_PREFIX)
          && results.incrementAndGet() > 2) {
        dead.set(true);
      }
      if (dead.get()) {
        throw new IllegalStateException("collector killed");
      }
    }
  }

  @Test
  void collectorRecordsEveryJobOnceCompletesTheRunAndNotifiesOnceDespiteACrashAndARedelivery()
      throws Exception {
    seeder.runInstances("111111111111", "us-east-1", 3, Map.of("Backup", "nightly"));
    seeder.runInstances("222222222222", "us-east-1", 2, Map.of("Backup", "nightly"));
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
    String prefix = "l" + UUID.randomUUID().toString().substring(0, 8);
    String table = prefix + "-runs";
    String bucket = prefix + "-reports";
    LedgerTable.create(dynamo, table);
    s3.createBucket(b -> b.bucket(bucket));
    String topic = sns.createTopic(b -> b.name(prefix + "-runs")).topicArn();
    String notesUrl = sqs.createQueue(b -> b.queueName(prefix + "-notes")).queueUrl();
    String notesArn =
        sqs.getQueueAttributes(
                b -> b.queueUrl(notesUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
            .attributes()
            .get(QueueAttributeName.QUEUE_ARN);
    sns.subscribe(b -> b.topicArn(topic).protocol("sqs").endpoint(notesArn));

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
            RUN,
            "--ledger-table",
            table);
    assertThat(dispatch.exitCode()).as(dispatch.toString()).isZero();
    Cli.Result worker =
        cli.run(
            "worker", "--queue-prefix", prefix, "--exit-when-idle", "3s", "--poll-interval", "1s");
    assertThat(worker.exitCode()).as(worker.toString()).isZero();

    // A collector dies after recording two results, before deleting any.
    KillAfterTwoResults killer = new KillAfterTwoResults();
    Cli dying = new Cli(emulator, Map.of()).intercept(killer);
    Cli.Result killed = dying.run(collect(prefix, table, bucket, topic));
    assertThat(killed.exitCode()).as(killed.toString()).isEqualTo(1);
    assertThat(killer.results.get()).isGreaterThan(2);

    // Messages that are not results of a known run, among the real ones.
    String resultsUrl = sqs.getQueueUrl(b -> b.queueName(prefix + "-results")).queueUrl();
    sqs.sendMessage(b -> b.queueUrl(resultsUrl).messageBody("this is not JSON"));
    sqs.sendMessage(
        b ->
            b.queueUrl(resultsUrl)
                .messageBody("{\"v\":99,\"jobId\":\"j\",\"runId\":\"" + RUN + "\"}"));
    ResultMessage typo =
        ResultMessage.builder()
            .jobId("j-typo")
            .runId("nigth-4")
            .accountId("111111111111")
            .region("us-east-1")
            .instanceId("i-0123456789abcdef0")
            .succeeded(Instant.now());
    sqs.sendMessage(b -> b.queueUrl(resultsUrl).messageBody(codec.encode(typo)));

    Cli.Result collected = cli.run(collect(prefix, table, bucket, topic));
    assertThat(collected.exitCode()).as(collected.toString()).isZero();
    assertThat(collected.err()).contains("3 orphan(s)").contains("1 run(s) completed");

    // The ledger: every job once, the run complete with the right counts.
    Cli.Result show = cli.run("runs", "show", RUN, "--ledger-table", table, "-o", "json");
    assertThat(show.exitCode()).as(show.toString()).isZero();
    JsonNode data = mapper.readTree(show.out());
    assertThat(data.get("jobs")).hasSize(5);
    assertThat(data.get("completion").asText()).isEqualTo("ALL_FINISHED");
    JsonNode counts = data.get("counts");
    assertThat(counts.get("succeeded").asInt()).isEqualTo(5);
    assertThat(counts.get("failed").asInt() + counts.get("missing").asInt()).isZero();
    List<String> jobIds = new ArrayList<>();
    data.get("jobs").forEach(j -> jobIds.add(j.get("jobId").asText()));
    assertThat(jobIds).doesNotHaveDuplicates();

    // A result delivered again (the same message body) changes nothing and notifies no one.
    String kept =
        dynamo
            .getItem(
                b ->
                    b.tableName(table)
                        .key(
                            Map.of(
                                LedgerTable.RUN_ID,
                                AttributeValue.fromS(RUN),
                                LedgerTable.ITEM,
                                AttributeValue.fromS(LedgerTable.JOB_PREFIX + jobIds.get(0)))))
            .item()
            .get("result")
            .s();
    sqs.sendMessage(b -> b.queueUrl(resultsUrl).messageBody(kept));
    Cli.Result again = cli.run(collect(prefix, table, bucket, topic));
    assertThat(again.err()).contains("0 recorded, 1 unchanged").contains("0 run(s) completed");

    // Exactly one summary, with the counts.
    List<Message> notes = drain(notesUrl);
    assertThat(notes).hasSize(1);
    JsonNode note = mapper.readTree(notes.get(0).body());
    assertThat(note.get("Subject").asText())
        .isEqualTo("amifleet run nightly-1: all 5 job(s) succeeded");
    assertThat(note.get("Message").asText())
        .contains("5 job(s): 5 succeeded, 0 failed, 0 timed out, 0 missing")
        .contains("dead-letter queue: 0 message(s)")
        .contains("s3://" + bucket + "/runs/nightly-1/report.html");

    // The report in S3 parses, holds every job and renders its grid.
    String html =
        s3.getObjectAsBytes(b -> b.bucket(bucket).key("runs/nightly-1/report.html")).asUtf8String();
    Document page = Jsoup.parse(html);
    assertThat(page.select("#jobs tbody tr").eachAttr("data-job-id"))
        .containsExactlyInAnyOrderElementsOf(jobIds);
    assertThat(page.select("#grid tbody tr")).hasSize(2);
    assertThat(page.select("#grid td[data-status]").eachAttr("data-status"))
        .containsOnly("SUCCEEDED")
        .hasSize(2);
    JsonNode json =
        mapper.readTree(
            s3.getObjectAsBytes(b -> b.bucket(bucket).key("runs/nightly-1/report.json"))
                .asUtf8String());
    assertThat(json.get("jobs")).hasSize(5);

    // Orphans are kept and reported, bodies not printed.
    Cli.Result orphans = cli.run("runs", "orphans", "--ledger-table", table);
    assertThat(orphans.out())
        .contains("3 orphan result(s)")
        .contains("not JSON")
        .contains("unsupported schema version v=99")
        .contains("no run nigth-4 in the ledger")
        .doesNotContain("this is not JSON");

    Cli.Result list = cli.run("runs", "list", "--ledger-table", table, "-o", "json");
    JsonNode runs = mapper.readTree(list.out());
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).get("complete").asBoolean()).isTrue();
    assertThat(runs.get(0).get("counts").get("succeeded").asInt()).isEqualTo(5);

    // A run ID nobody knows is a usage error that names the runs there are.
    Cli.Result typoRead =
        cli.run(
            "results",
            "--queue-prefix",
            prefix,
            "--run-id",
            "nigth-4",
            "--idle",
            "2s",
            "--ledger-table",
            table);
    assertThat(typoRead.exitCode()).as(typoRead.toString()).isEqualTo(2);
    assertThat(typoRead.err()).contains("no such run nigth-4").contains("recent runs: nightly-1");
  }

  private static String[] collect(String prefix, String table, String bucket, String topic) {
    return new String[] {
      "collect",
      "--queue-prefix",
      prefix,
      "--ledger-table",
      table,
      "--report-bucket",
      bucket,
      "--topic-arn",
      topic,
      "--notify",
      "always",
      "--check-interval",
      "0s",
      "--sweep-interval",
      "1s",
      "--visibility-timeout",
      "2s",
      "--exit-when-idle",
      "5s"
    };
  }

  private List<Message> drain(String url) {
    List<Message> all = new ArrayList<>();
    while (true) {
      List<Message> got =
          sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(2))
              .messages();
      if (got.isEmpty()) {
        return all;
      }
      all.addAll(got);
    }
  }

  @Test
  void runOnOneMachineIsRecordedInTheLocalLedgerAndShownByRuns() throws Exception {
    seeder.runInstances("111111111111", "us-east-1", 2, Map.of("Backup", "nightly"));
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
        """);
    Path ledger = dir.resolve("runs");
    Cli cli = new Cli(emulator, Map.of("AMIFLEET_EXTERNAL_ID", "ext-1"));
    Cli.Result run =
        cli.run(
            "run",
            "--targets",
            targets.toString(),
            "--run-id",
            "laptop-1",
            "--ledger-dir",
            ledger.toString(),
            "--poll-interval",
            "1s");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains("run recorded in " + ledger).contains("report: ");

    Cli.Result list = cli.run("runs", "list", "--ledger-dir", ledger.toString());
    assertThat(list.out()).contains("laptop-1").contains("complete");
    Cli.Result page =
        cli.run("runs", "show", "laptop-1", "--ledger-dir", ledger.toString(), "-o", "html");
    assertThat(page.exitCode()).as(page.toString()).isZero();
    Document html = Jsoup.parse(Path.of(page.out().trim()).toFile());
    assertThat(html.select("#jobs tbody tr")).hasSize(2);
    assertThat(html.select("#api-calls tbody tr")).as("run knows its AWS calls").isNotEmpty();

    Cli.Result unknown = cli.run("runs", "show", "laptop-2", "--ledger-dir", ledger.toString());
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("no such run laptop-2").contains("recent runs: laptop-1");
  }
}
