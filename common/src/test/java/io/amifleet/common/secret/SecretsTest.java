package io.amifleet.common.secret;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SecretsTest {
  private record WithSecret(String jobId, String externalId) {}

  private record WithOptionalSecret(String id, java.util.Optional<String> externalId) {}

  @Test
  void aRecordIsDescribedLikeItsGeneratedToStringButWithItsExternalIdMasked() {
    assertThat(Secrets.describe(new WithSecret("j-1", "SeCrEt-42")))
        .isEqualTo("WithSecret[jobId=j-1, externalId=****]");
    assertThat(Secrets.describe(new WithSecret("j-1", null)))
        .isEqualTo("WithSecret[jobId=j-1, externalId=null]");
    assertThat(Secrets.describe(new WithOptionalSecret("a", java.util.Optional.of("SeCrEt-42"))))
        .isEqualTo("WithOptionalSecret[id=a, externalId=****]");
    assertThat(Secrets.describe(new WithOptionalSecret("a", java.util.Optional.empty())))
        .isEqualTo("WithOptionalSecret[id=a, externalId=none]");
  }

  @Test
  void externalIdOfAJsonBodyIsFoundAndMasked() {
    String body = "{\"v\":1,\"jobId\":\"j\",\"externalId\":\"SeCrEt-42\",\"region\":\"us-east-1\"}";

    assertThat(Secrets.externalIdsIn(body)).containsExactly("SeCrEt-42");
    assertThat(Secrets.redactExternalIds(body))
        .isEqualTo("{\"v\":1,\"jobId\":\"j\",\"externalId\":\"****\",\"region\":\"us-east-1\"}");
  }

  @Test
  void externalIdOfABodyThatIsNotJsonIsFoundToo() {
    assertThat(Secrets.externalIdsIn("{\"externalId\": SeCrEt-42, \"v\": 1")).contains("SeCrEt-42");
    assertThat(Secrets.externalIdsIn("externalId=SeCrEt-42")).contains("SeCrEt-42");
    assertThat(Secrets.externalIdsIn("{'ExternalId': 'SeCrEt 42'}")).contains("SeCrEt 42");
    assertThat(Secrets.externalIdsIn("{\"externalId\":\"SeCrEt-42")).contains("SeCrEt-42");
    assertThat(Secrets.externalIdsIn("{\"external_id\":\"SeCrEt-42\"}")).contains("SeCrEt-42");
  }

  @Test
  void escapedJsonStringIsFoundAsWrittenAndAsDecoded() {
    String body = "{\"externalId\":\"\\u0053eCrEt\\/42\"}";

    assertThat(Secrets.externalIdsIn(body)).contains("\\u0053eCrEt\\/42", "SeCrEt/42");
    assertThat(Secrets.redactExternalIds(body)).doesNotContain("eCrEt");
  }

  @Test
  void everyOccurrenceIsMaskedAndALongerSecretWholeFirst() {
    assertThat(Secrets.redact("a SeCrEt and SeCrEt-42 here", List.of("SeCrEt", "SeCrEt-42")))
        .isEqualTo("a **** and **** here");
  }

  @Test
  void aQuotedPieceOfASecretIsMaskedToo() {
    assertThat(
            Secrets.redact(
                "Unrecognized token 'SeCrEt': was expecting 'null', 'true'", List.of("SeCrEt-42")))
        .isEqualTo("Unrecognized token '****': was expecting 'null', 'true'");
  }

  @Test
  void oneCharacterValuesAreNotSearchedFor() {
    assertThat(Secrets.redact("accounts[1]", List.of("1"))).isEqualTo("accounts[1]");
    assertThat(Secrets.externalIdsIn("{\"externalId\":\"x\"}")).isEmpty();
  }

  @Test
  void maskIsNullOnlyForAMissingValue() {
    assertThat(Secrets.mask("SeCrEt")).isEqualTo(Secrets.MASK);
    assertThat(Secrets.mask(null)).isNull();
  }
}
