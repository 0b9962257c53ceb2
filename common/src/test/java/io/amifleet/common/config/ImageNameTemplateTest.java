package io.amifleet.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.amifleet.common.message.Identifiers;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageNameTemplateTest {
  private static final String JOB_ID = "0123456789abcdef0123456789abcdef";

  private static Map<String, String> values() {
    Map<String, String> values = new HashMap<>();
    values.put("instanceName", "web-1");
    values.put("instanceId", "i-0123abcd");
    values.put("accountId", "111111111111");
    values.put("accountName", "prod");
    values.put("region", "us-east-1");
    values.put("date", "2026-11-28");
    values.put("time", "012219");
    values.put("runId", "run-7");
    values.put("jobId", JOB_ID);
    values.put("shortJobId", "01234567");
    return values;
  }

  private static Map<String, String> valuesWith(String key, String value) {
    Map<String, String> values = values();
    values.put(key, value);
    return values;
  }

  @Test
  void everyPlaceholderIsRendered() {
    ImageNameTemplate template =
        new ImageNameTemplate(
            "{instanceName}_{instanceId}_{accountId}_{accountName}_{region}"
                + "_{date}_{time}_{runId}_{jobId}_{shortJobId}");

    assertThat(template.render(values()))
        .isEqualTo(
            "web-1_i-0123abcd_111111111111_prod_us-east-1_2026-11-28_012219_run-7_"
                + JOB_ID
                + "_01234567");
  }

  @Test
  void defaultTemplateRendersNameDateAndShortJobId() {
    assertThat(new ImageNameTemplate(ImageNameTemplate.DEFAULT).render(values()))
        .isEqualTo("web-1-2026-11-28-01234567");
  }

  @Test
  void disallowedCharactersBecomeDashes() {
    ImageNameTemplate template = new ImageNameTemplate("{instanceName}:{date}");

    assertThat(template.render(valuesWith("instanceName", "db#primary/1 (blue) ü@x_y[z]")))
        .isEqualTo("db-primary/1 (blue) -@x_y[z]-2026-11-28");
  }

  @Test
  void replacementTextIsTakenLiterally() {
    ImageNameTemplate template = new ImageNameTemplate("{instanceName}");

    assertThat(template.render(valuesWith("instanceName", "a$1\\b{date}")))
        .isEqualTo("a-1-b-date-");
  }

  @Test
  void longInstanceNameIsCutTo64Characters() {
    String longName = "n".repeat(100);
    ImageNameTemplate template = new ImageNameTemplate("{instanceName}-{shortJobId}");

    assertThat(template.render(valuesWith("instanceName", longName)))
        .isEqualTo("n".repeat(64) + "-01234567");
  }

  @Test
  void otherPlaceholdersAreNotCutTo64Characters() {
    String longRunId = "r".repeat(100);
    ImageNameTemplate template = new ImageNameTemplate("{runId}");

    assertThat(template.render(valuesWith("runId", longRunId))).isEqualTo(longRunId);
  }

  @Test
  void renderedNameIsCutTo128Characters() {
    ImageNameTemplate template = new ImageNameTemplate("{instanceName}-{runId}-{jobId}");
    Map<String, String> values = valuesWith("instanceName", "a".repeat(64));
    values.put("runId", "b".repeat(60));

    String name = template.render(values);

    assertThat(name).hasSize(128).isEqualTo("a".repeat(64) + "-" + "b".repeat(60) + "-01");
  }

  @Test
  void cutNameDoesNotEndInASpace() {
    ImageNameTemplate template = new ImageNameTemplate("{runId} {instanceName}");

    String name = template.render(valuesWith("runId", "r".repeat(127)));

    assertThat(name).isEqualTo("r".repeat(127));
  }

  @Test
  void tooShortNameIsPaddedWithTheShortJobId() {
    ImageNameTemplate template = new ImageNameTemplate("{instanceName}");

    assertThat(template.render(valuesWith("instanceName", "a"))).isEqualTo("a-01234567");
    assertThat(template.render(valuesWith("instanceName", "  "))).isEqualTo("-01234567");
  }

  @Test
  void tooShortNameWithoutShortJobIdIsPaddedWithAmi() {
    ImageNameTemplate template = new ImageNameTemplate("{instanceName}");
    Map<String, String> values = valuesWith("instanceName", "ab");
    values.remove("shortJobId");

    assertThat(template.render(values)).isEqualTo("ab-ami");
  }

  @Test
  void renderedNamesAreValidEc2ImageNames() {
    ImageNameTemplate template = new ImageNameTemplate("{instanceName} {accountName}/{runId}");
    String[] awkward = {
      "", " ", "x", "日本語のサーバー", "a".repeat(300), "tab\tand\nnewline", "emoji \uD83D\uDE80 ok",
    };

    for (String value : awkward) {
      Map<String, String> values = values();
      values.put("instanceName", value);
      values.put("accountName", value);
      values.put("runId", value);
      assertThat(template.render(values))
          .as("rendered from %s", value)
          .matches(Identifiers.IMAGE_NAME);
    }
  }

  @Test
  void missingValueForAPlaceholderFailsNamingIt() {
    ImageNameTemplate template = new ImageNameTemplate("{instanceName}-{region}");
    Map<String, String> values = values();
    values.remove("region");

    assertThat(catchThrowable(() -> template.render(values)))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("{region}");
  }

  @Test
  void unknownPlaceholderIsRejectedNamingItAndTheKnownOnes() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new ImageNameTemplate("{instanceName}-{hostname}-{Date}"))
        .withMessageContaining("{hostname}")
        .withMessageContaining("{Date}")
        .withMessageContaining("instanceName");
  }

  @Test
  void blankTemplateIsRejected() {
    assertThatIllegalArgumentException().isThrownBy(() -> new ImageNameTemplate("  "));
  }

  @Test
  void templateIsUniquePerJobOnlyWithTheJobIdOrTheInstanceAndRunIds() {
    assertThat(new ImageNameTemplate(ImageNameTemplate.DEFAULT).isUniquePerJob()).isTrue();
    assertThat(new ImageNameTemplate("{instanceName}-{jobId}").isUniquePerJob()).isTrue();
    assertThat(new ImageNameTemplate("{instanceName}-{date}-{time}").isUniquePerJob()).isFalse();
    assertThat(new ImageNameTemplate("{runId}-{instanceId}").isUniquePerJob()).isTrue();
    assertThat(new ImageNameTemplate("{runId}-{instanceName}").isUniquePerJob()).isFalse();
    assertThat(new ImageNameTemplate("{instanceId}-{date}").isUniquePerJob()).isFalse();
  }
}
