package io.amifleet.dispatcher.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.config.AccountTarget;
import io.amifleet.common.config.ImageNameTemplate;
import io.amifleet.common.config.Selector;
import io.amifleet.common.message.JobIds;
import io.amifleet.common.message.JobMessage;
import io.amifleet.dispatcher.resolve.FoundInstance;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

class JobBuilderTest {
  private static final String RUN = "20261128T233005Z-3fa9";

  /** Late evening in UTC: already the next day east of UTC, still this day west of it. */
  private static final Instant DISPATCHED = Instant.parse("2026-11-28T23:30:05Z");

  private static AccountTarget account(String template) {
    return new AccountTarget(
        "111111111111",
        Optional.of("web"),
        "arn:aws:iam::111111111111:role/CrossAccount",
        Optional.of("ext-secret-1"),
        List.of("us-east-1", "eu-west-1"),
        true,
        new ImageNameTemplate(template),
        Map.of("Purpose", "nightly-image", "Team", "web"),
        true,
        Selector.everything(),
        Optional.empty());
  }

  private static FoundInstance instance(String id, Map<String, String> tags) {
    return new FoundInstance(id, "eu-west-1", "running", tags);
  }

  private static final AccountTarget ACCOUNT = account(ImageNameTemplate.DEFAULT);
  private static final FoundInstance WEB_1 =
      instance("i-0123456789abcdef0", Map.of("Name", "web-1", "Environment", "production"));

  @Test
  void sameInputsGiveTheSameJobId() {
    JobMessage first = JobBuilder.build(RUN, ACCOUNT, WEB_1, DISPATCHED);
    JobMessage again = JobBuilder.build(RUN, ACCOUNT, WEB_1, DISPATCHED.plusSeconds(3600));

    assertThat(again.jobId()).isEqualTo(first.jobId());
    assertThat(first.jobId())
        .isEqualTo(JobIds.jobId(RUN, "111111111111", "eu-west-1", "i-0123456789abcdef0"));
  }

  @Test
  void anotherRunIdGivesAnotherJobId() {
    JobMessage first = JobBuilder.build(RUN, ACCOUNT, WEB_1, DISPATCHED);
    JobMessage other = JobBuilder.build("20261129T233005Z-0001", ACCOUNT, WEB_1, DISPATCHED);

    assertThat(other.jobId()).isNotEqualTo(first.jobId());
    assertThat(other.runId()).isEqualTo("20261129T233005Z-0001");
  }

  @Test
  void imageNameUsesTheNameTagAndTheDispatchDateInUtc() {
    TimeZone original = TimeZone.getDefault();
    // Far from UTC, so that a date taken in the local zone would show.
    TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Kiritimati"));
    try {
      JobMessage job = JobBuilder.build(RUN, ACCOUNT, WEB_1, DISPATCHED);

      assertThat(job.imageName()).isEqualTo("web-1-2026-11-28-" + JobIds.shortJobId(job.jobId()));
    } finally {
      TimeZone.setDefault(original);
    }
  }

  @Test
  void imageNameFallsBackToTheInstanceIdWithoutANameTag() {
    JobMessage job =
        JobBuilder.build(
            RUN, ACCOUNT, instance("i-0123456789abcdef0", Map.of("Team", "web")), DISPATCHED);

    assertThat(job.imageName())
        .isEqualTo("i-0123456789abcdef0-2026-11-28-" + JobIds.shortJobId(job.jobId()));
  }

  @Test
  void imageNameRendersEveryPlaceholderOfTheAccountsTemplate() {
    AccountTarget account =
        account("{accountName}.{accountId}.{region}.{instanceId}.{date}.{time}.{runId}.{jobId}");

    JobMessage job = JobBuilder.build(RUN, account, WEB_1, DISPATCHED);

    assertThat(job.imageName())
        .isEqualTo(
            "web.111111111111.eu-west-1.i-0123456789abcdef0.2026-11-28.233005."
                + RUN
                + "."
                + job.jobId());
  }

  @Test
  void jobCarriesTheAccountsRoleTagsAndOptions() {
    JobMessage job = JobBuilder.build(RUN, ACCOUNT, WEB_1, DISPATCHED);

    assertThat(job.v()).isEqualTo(JobMessage.VERSION);
    assertThat(job.runId()).isEqualTo(RUN);
    assertThat(job.accountId()).isEqualTo("111111111111");
    assertThat(job.region()).isEqualTo("eu-west-1");
    assertThat(job.instanceId()).isEqualTo("i-0123456789abcdef0");
    assertThat(job.roleArn()).isEqualTo("arn:aws:iam::111111111111:role/CrossAccount");
    assertThat(job.externalId()).isEqualTo("ext-secret-1");
    assertThat(job.tags()).isEqualTo(Map.of("Purpose", "nightly-image", "Team", "web"));
    assertThat(job.reboot()).isTrue();
    assertThat(job.copyInstanceTags()).isTrue();
    assertThat(job.createdAt()).isEqualTo(DISPATCHED);
  }

  @Test
  void accountWithoutExternalIdGivesAJobWithoutOne() {
    AccountTarget plain =
        new AccountTarget(
            "111111111111",
            Optional.empty(),
            "arn:aws:iam::111111111111:role/AmiFleetCreator",
            Optional.empty(),
            List.of("eu-west-1"),
            false,
            new ImageNameTemplate("{accountName}-{instanceName}-{shortJobId}"),
            Map.of(),
            false,
            Selector.everything(),
            Optional.empty());

    JobMessage job = JobBuilder.build(RUN, plain, WEB_1, DISPATCHED);

    assertThat(job.externalId()).isNull();
    assertThat(job.reboot()).isFalse();
    assertThat(job.copyInstanceTags()).isFalse();
    assertThat(job.imageName()).startsWith("111111111111-web-1-");
  }
}
