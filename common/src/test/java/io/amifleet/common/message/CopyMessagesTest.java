package io.amifleet.common.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.ErrorCodes;
import io.amifleet.common.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A job's copies and a result's copies on the wire. */
class CopyMessagesTest {
  private static final String RUN = "20261128T012219Z-3fa9";
  private static final String A = "111111111111";
  private static final String VAULT = "999999999999";
  private static final String JOB_ID = JobIds.jobId(RUN, A, "us-east-1", "i-0123456789abcdef0");

  private final ObjectMapper mapper = Json.newMapper();
  private final MessageCodec codec = new MessageCodec(mapper);

  private static JobMessage job(List<CopyRequest> copies) {
    return JobMessage.of(
            JOB_ID,
            RUN,
            A,
            "us-east-1",
            "arn:aws:iam::" + A + ":role/AmiFleetCreator",
            "ext-secret-1",
            "i-0123456789abcdef0",
            "web-1-" + JobIds.shortJobId(JOB_ID),
            false,
            Map.of(),
            false,
            Instant.parse("2026-11-28T01:22:19Z"))
        .withCopies(copies);
  }

  private static CopyRequest vault() {
    return new CopyRequest(
        VAULT,
        "eu-central-1",
        "arn:aws:iam::" + VAULT + ":role/AmiFleetVault",
        "vault-secret-9",
        "alias/vault");
  }

  private AmiFleetException poison(String body) {
    Throwable thrown = catchThrowable(() -> codec.decodeJob(body));
    assertThat(thrown).isInstanceOf(AmiFleetException.class);
    AmiFleetException e = (AmiFleetException) thrown;
    assertThat(e.errorCode()).isEqualTo(ErrorCodes.INVALID_MESSAGE);
    return e;
  }

  @Test
  void aJobWithCopiesSurvivesARoundTripAndCarriesTheVaultsExternalIdOnlyOnTheWire() {
    JobMessage job = job(List.of(new CopyRequest(A, "eu-west-1", null, null, null), vault()));

    String wire = codec.encode(job);

    assertThat(codec.decodeJob(wire)).isEqualTo(job);
    assertThat(wire).contains("vault-secret-9");
    assertThat(job.toString()).doesNotContain("vault-secret-9").doesNotContain("ext-secret-1");
    assertThat(Json.displayTree(mapper, job).toString()).doesNotContain("vault-secret-9");
  }

  @Test
  void aJobWithoutCopiesHasNoCopiesField() throws Exception {
    assertThat(mapper.readTree(codec.encode(job(List.of()))).has("copies")).isFalse();
  }

  @Test
  void aCopyIntoTheJobsOwnAccountAndRegionIsPoison() {
    String body =
        codec
            .encode(job(List.of(new CopyRequest(A, "eu-west-1", null, null, null))))
            .replace("\"eu-west-1\"", "\"us-east-1\"");

    assertThat(poison(body).getMessage()).contains("a copy into the job's own account and region");
  }

  @Test
  void aCopyIntoAnotherAccountWithoutItsRoleIsPoison() {
    String body =
        codec
            .encode(job(List.of(vault())))
            .replace("\"roleArn\":\"arn:aws:iam::" + VAULT + ":role/AmiFleetVault\",", "");

    assertThat(poison(body).getMessage()).contains("needs that account's roleArn");
  }

  @Test
  void aVaultRoleOfAnotherAccountThanTheCopysIsPoison() {
    String body =
        codec
            .encode(job(List.of(vault())))
            .replace(":" + VAULT + ":role/AmiFleetVault", ":" + A + ":role/AmiFleetVault");

    assertThat(poison(body).getMessage()).contains("not accountId " + VAULT);
  }

  @Test
  void aResultCarriesEachCopysAccountRegionImageAndState() throws Exception {
    ResultMessage result =
        job(List.of(vault()))
            .result()
            .imageId("ami-0123456789abcdef0")
            .copies(
                List.of(
                    new CopyResult(
                        VAULT, "eu-central-1", "ami-0fedcba9876543210", "available", false)))
            .succeeded(Instant.parse("2026-11-28T01:31:42Z"));

    String json = codec.encode(result);

    assertThat(codec.decodeResult(json)).isEqualTo(result);
    assertThat(mapper.readTree(json).get("copies").get(0).toString())
        .isEqualTo(
            "{\"accountId\":\"999999999999\",\"region\":\"eu-central-1\","
                + "\"imageId\":\"ami-0fedcba9876543210\",\"state\":\"available\",\"adopted\":false}");
  }
}
