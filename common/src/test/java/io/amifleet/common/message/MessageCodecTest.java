package io.amifleet.common.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.ErrorCodes;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
  private static final Instant CREATED = Instant.parse("2026-11-28T01:22:19Z");
  private static final Instant STARTED = Instant.parse("2026-11-28T01:23:00.250Z");
  private static final Instant FINISHED = Instant.parse("2026-11-28T01:31:42Z");

  private final ObjectMapper mapper = Json.newMapper();
  private final MessageCodec codec = new MessageCodec(mapper);

  private static final String JOB_ID =
      JobIds.jobId("20261128T012219Z-3fa9", "111111111111", "us-east-1", "i-0123456789abcdef0");

  private static JobMessage job() {
    return JobMessage.of(
        JOB_ID,
        "20261128T012219Z-3fa9",
        "111111111111",
        "us-east-1",
        "arn:aws:iam::111111111111:role/AmiFleetCreator",
        "ext-secret-1",
        "i-0123456789abcdef0",
        "web-1-2026-11-28-" + JobIds.shortJobId(JOB_ID),
        true,
        Map.of("Purpose", "nightly-image", "Team", "web"),
        true,
        CREATED);
  }

  /** The JSON of a valid job, changed by {@code edit}. */
  private String jobJson(Consumer<ObjectNode> edit) {
    ObjectNode node = mapper.valueToTree(job());
    edit.accept(node);
    return node.toString();
  }

  private AmiFleetException poison(Runnable decode) {
    Throwable thrown = catchThrowable(decode::run);
    assertThat(thrown).isInstanceOf(AmiFleetException.class);
    AmiFleetException e = (AmiFleetException) thrown;
    assertThat(e.kind()).isEqualTo(ErrorKind.POISON);
    assertThat(e.errorCode()).isEqualTo(ErrorCodes.INVALID_MESSAGE);
    assertThat(e.retryable()).isFalse();
    return e;
  }

  private AmiFleetException poisonJob(String body) {
    return poison(() -> codec.decodeJob(body));
  }

  // --- round trips ---

  @Test
  void jobSurvivesARoundTrip() {
    JobMessage job = job();

    assertThat(codec.decodeJob(codec.encode(job))).isEqualTo(job);
  }

  @Test
  void jobIsEncodedWithTheDocumentedFieldsAndIsoInstants() throws Exception {
    JsonNode json = mapper.readTree(codec.encode(job()));

    List<String> fields = new ArrayList<>();
    json.fieldNames().forEachRemaining(fields::add);
    assertThat(fields)
        .containsExactlyInAnyOrder(
            "v",
            "jobId",
            "runId",
            "accountId",
            "region",
            "roleArn",
            "externalId",
            "instanceId",
            "imageName",
            "reboot",
            "tags",
            "copyInstanceTags",
            "createdAt");
    assertThat(json.get("v").intValue()).isEqualTo(1);
    assertThat(json.get("createdAt").isTextual()).isTrue();
    assertThat(json.get("createdAt").textValue()).isEqualTo("2026-11-28T01:22:19Z");
    assertThat(json.get("reboot").booleanValue()).isTrue();
    assertThat(json.get("tags").get("Team").textValue()).isEqualTo("web");
  }

  @Test
  void jobWithoutExternalIdOmitsIt() {
    JobMessage job =
        JobMessage.of(
            JobIds.jobId("run-1", "111111111111", "us-east-1", "i-0123456789abcdef0"),
            "run-1",
            "111111111111",
            "us-east-1",
            "arn:aws:iam::111111111111:role/AmiFleetCreator",
            null,
            "i-0123456789abcdef0",
            "web-1",
            false,
            Map.of(),
            false,
            CREATED);

    String json = codec.encode(job);

    assertThat(json).doesNotContain("externalId").doesNotContain("null");
    assertThat(codec.decodeJob(json)).isEqualTo(job);
  }

  @Test
  void succeededResultSurvivesARoundTrip() {
    ResultMessage result =
        job()
            .result()
            .imageId("ami-0123456789abcdef0")
            .snapshotIds(List.of("snap-1", "snap-2"))
            .adopted(true)
            .attempt(2)
            .startedAt(STARTED)
            .succeeded(FINISHED);

    ResultMessage decoded = codec.decodeResult(codec.encode(result));

    assertThat(decoded).isEqualTo(result);
    assertThat(decoded.succeeded()).isTrue();
    assertThat(decoded.snapshotIds()).containsExactly("snap-1", "snap-2");
  }

  @Test
  void failedResultSurvivesARoundTrip() {
    ResultMessage result =
        job()
            .result()
            .imageId("ami-0123456789abcdef0")
            .adopted(false)
            .attempt(1)
            .startedAt(STARTED)
            .unsuccessful(
                JobStatus.TIMED_OUT,
                ErrorCodes.IMAGE_TIMED_OUT,
                "still pending after PT2H",
                FINISHED);

    ResultMessage decoded = codec.decodeResult(codec.encode(result));

    assertThat(decoded).isEqualTo(result);
    assertThat(decoded.succeeded()).isFalse();
    assertThat(decoded.status()).isEqualTo(JobStatus.TIMED_OUT);
    assertThat(decoded.errorCode()).isEqualTo("ImageTimedOut");
  }

  @Test
  void resultIsEncodedWithTheDocumentedFieldsAndIsoInstants() throws Exception {
    ResultMessage result =
        job()
            .result()
            .imageId("ami-0123456789abcdef0")
            .snapshotIds(List.of("snap-1"))
            .adopted(false)
            .attempt(1)
            .startedAt(STARTED)
            .succeeded(FINISHED);

    JsonNode json = mapper.readTree(codec.encode(result));

    List<String> fields = new ArrayList<>();
    json.fieldNames().forEachRemaining(fields::add);
    assertThat(fields)
        .as("documented result fields; error fields are left out when null")
        .containsExactlyInAnyOrder(
            "v",
            "jobId",
            "runId",
            "accountId",
            "region",
            "instanceId",
            "status",
            "imageId",
            "imageName",
            "snapshotIds",
            "adopted",
            "attempt",
            "startedAt",
            "finishedAt");
    assertThat(json.get("status").textValue()).isEqualTo("SUCCEEDED");
    assertThat(json.get("adopted").isBoolean()).as("adopted is a JSON boolean").isTrue();
    assertThat(json.get("startedAt").textValue()).isEqualTo("2026-11-28T01:23:00.250Z");
    assertThat(json.get("finishedAt").textValue()).isEqualTo("2026-11-28T01:31:42Z");
  }

  @Test
  void unsuccessfulResultCannotClaimSuccess() {
    assertThat(
            catchThrowable(
                () -> job().result().unsuccessful(JobStatus.SUCCEEDED, "X", "y", FINISHED)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void unknownFieldsAreIgnored() {
    String body =
        jobJson(
            n -> {
              n.put("addedInV1_1", "something new");
              n.putObject("nested").put("x", 1);
            });

    assertThat(codec.decodeJob(body)).isEqualTo(job());
  }

  @Test
  void optionalFieldsTakeTheirDefaults() {
    String body =
        jobJson(
            n -> {
              n.remove("reboot");
              n.remove("copyInstanceTags");
              n.remove("tags");
              n.remove("externalId");
              n.remove("createdAt");
            });

    JobMessage job = codec.decodeJob(body);

    assertThat(job.reboot()).isFalse();
    assertThat(job.copyInstanceTags()).isFalse();
    assertThat(job.tags()).isEmpty();
    assertThat(job.externalId()).isNull();
    assertThat(job.createdAt()).isNull();
  }

  @Test
  void explicitNullOptionalFieldsTakeTheirDefaults() {
    String body =
        jobJson(
            n -> {
              n.putNull("reboot");
              n.putNull("copyInstanceTags");
              n.putNull("tags");
            });

    JobMessage job = codec.decodeJob(body);

    assertThat(job.reboot()).isFalse();
    assertThat(job.copyInstanceTags()).isFalse();
    assertThat(job.tags()).isEmpty();
  }

  // --- poison ---

  @Test
  void bodyThatIsNotJsonIsPoison() {
    assertThat(poisonJob("CreateImage please").getMessage()).startsWith("not JSON");
    assertThat(poisonJob("{\"v\": 1,").getMessage()).startsWith("not JSON");
  }

  @Test
  void jsonArrayIsPoison() {
    assertThat(poisonJob("[" + jobJson(n -> {}) + "]").getMessage()).isEqualTo("not a JSON object");
  }

  @Test
  void jsonScalarIsPoison() {
    assertThat(poisonJob("42").getMessage()).isEqualTo("not a JSON object");
  }

  @Test
  void emptyBodyIsPoison() {
    assertThat(poisonJob("").getMessage()).isEqualTo("empty message body");
    assertThat(poisonJob("  \n").getMessage()).isEqualTo("empty message body");
    assertThat(poisonJob(null).getMessage()).isEqualTo("empty message body");
  }

  @Test
  void missingVersionIsPoison() {
    assertThat(poisonJob(jobJson(n -> n.remove("v"))).getMessage())
        .isEqualTo("missing schema version field 'v'");
  }

  @Test
  void versionThatIsNotAWholeNumberIsPoisonNamingWhatWasSent() {
    assertThat(poisonJob(jobJson(n -> n.put("v", "1"))).getMessage())
        .isEqualTo("schema version 'v' must be a whole number, not \"1\"");
  }

  @Test
  void unknownVersionIsPoison() {
    assertThat(poisonJob(jobJson(n -> n.put("v", 2))).getMessage())
        .startsWith("unsupported schema version v=2");
  }

  @Test
  void missingJobIdIsPoison() {
    assertThat(poisonJob(jobJson(n -> n.remove("jobId"))).getMessage()).isEqualTo("jobId is null");
  }

  @Test
  void missingRoleArnIsPoison() {
    assertThat(poisonJob(jobJson(n -> n.remove("roleArn"))).getMessage()).contains("roleArn");
  }

  @Test
  void malformedAccountIdIsPoison() {
    assertThat(poisonJob(jobJson(n -> n.put("accountId", "11111111111"))).getMessage())
        .contains("accountId", "11111111111");
  }

  @Test
  void roleInAnotherAccountIsPoison() {
    String body = jobJson(n -> n.put("roleArn", "arn:aws:iam::999999999999:role/AmiFleetCreator"));

    assertThat(poisonJob(body).getMessage())
        .contains("roleArn", "999999999999", "accountId 111111111111");
  }

  @Test
  void malformedRoleArnIsPoison() {
    assertThat(poisonJob(jobJson(n -> n.put("roleArn", "AmiFleetCreator"))).getMessage())
        .contains("roleArn", "not an IAM role ARN");
  }

  @Test
  void malformedInstanceIdIsPoison() {
    assertThat(poisonJob(jobJson(n -> n.put("instanceId", "i-XYZ"))).getMessage())
        .contains("instanceId", "i-XYZ");
  }

  @Test
  void malformedRegionIsPoison() {
    assertThat(poisonJob(jobJson(n -> n.put("region", "US East"))).getMessage())
        .contains("region", "US East");
  }

  @Test
  void invalidImageNameIsPoison() {
    assertThat(poisonJob(jobJson(n -> n.put("imageName", "ab"))).getMessage())
        .contains("imageName");
  }

  @Test
  void tagWithAwsPrefixIsPoison() {
    String body = jobJson(n -> ((ObjectNode) n.get("tags")).put("aws:cloudformation:x", "v"));

    assertThat(poisonJob(body).getMessage()).contains("aws:cloudformation:x", "reserved prefix");
  }

  @Test
  void tagWithAmiFleetPrefixIsPoison() {
    String body = jobJson(n -> ((ObjectNode) n.get("tags")).put(Tags.JOB_ID, "forged"));

    assertThat(poisonJob(body).getMessage()).contains("amifleet:job-id", "reserved prefix");
  }

  @Test
  void tooManyTagsArePoison() {
    String body =
        jobJson(
            n -> {
              ObjectNode tags = n.putObject("tags");
              for (int i = 0; i < 46; i++) {
                tags.put("k" + i, "v");
              }
            });

    assertThat(poisonJob(body).getMessage()).contains("at most 45 tags");
  }

  @Test
  void mostTagsLeaveRoomForAmiFleetsOwn() {
    Map<String, String> tags = new LinkedHashMap<>();
    for (int i = 0; i < 45; i++) {
      tags.put("k" + i, "v");
    }

    String body = jobJson(n -> n.set("tags", mapper.valueToTree(tags)));

    assertThat(codec.decodeJob(body).tags()).hasSize(45);
  }

  @Test
  void fieldOfTheWrongTypeIsPoison() {
    assertThat(poisonJob(jobJson(n -> n.put("reboot", "maybe"))).getMessage())
        .startsWith("invalid field");
    assertThat(poisonJob(jobJson(n -> n.put("createdAt", "yesterday"))).getMessage())
        .startsWith("invalid field");
    assertThat(poisonJob(jobJson(n -> n.put("tags", "Purpose=nightly"))).getMessage())
        .startsWith("invalid field");
  }

  @Test
  void resultWithoutJobIdIsPoison() {
    ResultMessage result =
        job().result().imageId("ami-0123456789abcdef0").attempt(1).succeeded(FINISHED);
    ObjectNode node = mapper.valueToTree(result);
    node.remove("jobId");

    assertThat(poison(() -> codec.decodeResult(node.toString())).getMessage()).contains("jobId");
  }

  @Test
  void resultIsNotAJob() {
    ResultMessage result =
        job().result().imageId("ami-0123456789abcdef0").attempt(1).succeeded(FINISHED);

    assertThat(poisonJob(codec.encode(result)).getMessage()).contains("roleArn");
  }

  // --- issue 19: job IDs that belong to another job; ExternalIds in what is printed ---

  @Test
  void jobCarryingTheJobIdOfAnotherInstancesJobIsPoison() {
    String otherInstancesJobId =
        JobIds.jobId("20261128T012219Z-3fa9", "111111111111", "us-east-1", "i-0aaaaaaaaaaaaaaa1");

    AmiFleetException e = poisonJob(jobJson(n -> n.put("jobId", otherInstancesJobId)));

    assertThat(e.getMessage())
        .isEqualTo(
            "jobId '"
                + otherInstancesJobId
                + "' does not belong to this job's runId, accountId, region and instanceId (their"
                + " job ID is "
                + JOB_ID
                + ")");
  }

  @Test
  void pruneJobCarryingAnotherJobsIdIsPoison() {
    ObjectNode prune = mapper.createObjectNode();
    prune
        .put("v", 1)
        .put("kind", "prune")
        .put("jobId", JOB_ID)
        .put("runId", "20261128T012219Z-3fa9")
        .put("accountId", "111111111111")
        .put("region", "us-east-1")
        .put("roleArn", "arn:aws:iam::111111111111:role/AmiFleetCreator")
        .put("keepLast", 3);

    AmiFleetException e = poison(() -> codec.decodeWork(prune.toString()));
    prune.put("jobId", JobIds.pruneJobId("20261128T012219Z-3fa9", "111111111111", "us-east-1"));

    assertThat(e.getMessage())
        .contains("does not belong to this job's runId, accountId and region");
    assertThat(codec.decodeWork(prune.toString())).isInstanceOf(PruneMessage.class);
  }

  @Test
  void kindChoosesTheJobTypeAndAMessageWithoutKindIsAnImageJob() {
    assertThat(codec.decodeWork(jobJson(n -> {}))).isEqualTo(job());
    assertThat(codec.decodeWork(jobJson(n -> n.put("kind", "image")))).isEqualTo(job());
    assertThat(codec.decodeWork(jobJson(n -> n.putNull("kind")))).isEqualTo(job());
    assertThat(codec.encode(job())).doesNotContain("kind");
  }

  @Test
  void unknownKindIsPoisonNamingTheKindsThisWorkerKnows() {
    assertThat(poison(() -> codec.decodeWork(jobJson(n -> n.put("kind", "copy")))).getMessage())
        .isEqualTo("unknown kind 'copy' (this worker knows image and prune jobs)");
    assertThat(poison(() -> codec.decodeWork(jobJson(n -> n.put("kind", 5)))).getMessage())
        .isEqualTo("unknown kind '5' (this worker knows image and prune jobs)");
  }

  @Test
  void poisonReasonNeverQuotesTheExternalIdOfTheBody() {
    String notJson =
        "{\"v\":1,\"jobId\":\"x\",\"externalId\": SeCrEtExTeRnAlId-0123456789, \"region\":1}";
    String invalid =
        jobJson(
            n ->
                n.put("externalId", "SeCrEtExTeRnAlId-0123456789")
                    .put("jobId", "SeCrEtExTeRnAlId-0123456789"));

    assertThat(poison(() -> codec.decodeWork(notJson)).getMessage())
        .contains("not JSON")
        .doesNotContain("SeCrEt");
    assertThat(poison(() -> codec.decodeWork(invalid)).getMessage())
        .contains("jobId '****'")
        .doesNotContain("SeCrEt");
  }

  @Test
  void jobPrintsItsExternalIdMaskedAndDisplayJsonLeavesItOut() throws Exception {
    JobMessage job = job();

    assertThat(job.toString()).contains("externalId=****").doesNotContain("ext-secret-1");
    assertThat(Json.displayTree(mapper, List.of(job)).get(0).has("externalId")).isFalse();
    assertThat(Json.displayTree(mapper, job).get("jobId").textValue()).isEqualTo(JOB_ID);
    assertThat(mapper.readTree(codec.encode(job)).get("externalId").textValue())
        .as("the queue carries it")
        .isEqualTo("ext-secret-1");
  }
}
