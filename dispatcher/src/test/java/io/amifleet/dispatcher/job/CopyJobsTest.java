package io.amifleet.dispatcher.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.config.AccountTarget;
import io.amifleet.common.config.CopyTarget;
import io.amifleet.common.config.ImageNameTemplate;
import io.amifleet.common.config.Retention;
import io.amifleet.common.config.Selector;
import io.amifleet.common.message.CopyRequest;
import io.amifleet.common.message.JobIds;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.PruneMessage;
import io.amifleet.dispatcher.resolve.FoundInstance;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An account's copies in its jobs, and the copies' own retention jobs. */
class CopyJobsTest {
  private static final String RUN = "20261128T233005Z-3fa9";
  private static final Instant NOW = Instant.parse("2026-11-28T23:30:05Z");
  private static final String A = "111111111111";
  private static final String VAULT = "999999999999";
  private static final String VAULT_ROLE = "arn:aws:iam::" + VAULT + ":role/AmiFleetVault";

  private static final CopyTarget DR =
      new CopyTarget(
          Optional.empty(),
          "eu-west-1",
          Optional.empty(),
          Optional.empty(),
          Optional.of("alias/amifleet-dr"),
          Optional.of(new Retention(Optional.of(14), Optional.empty())));
  private static final CopyTarget TO_VAULT =
      new CopyTarget(
          Optional.of(VAULT),
          "eu-central-1",
          Optional.of(VAULT_ROLE),
          Optional.of("vault-secret-9"),
          Optional.empty(),
          Optional.of(new Retention(Optional.of(30), Optional.empty())));

  private static AccountTarget account(Optional<Retention> retention, List<CopyTarget> copies) {
    return new AccountTarget(
        A,
        Optional.empty(),
        "arn:aws:iam::" + A + ":role/AmiFleetCreator",
        Optional.of("ext-secret-1"),
        List.of("us-east-1", "us-west-2"),
        false,
        new ImageNameTemplate(ImageNameTemplate.DEFAULT),
        Map.of(),
        false,
        Selector.everything(),
        retention,
        Optional.empty(),
        List.of(),
        copies);
  }

  @Test
  void eachJobCarriesTheAccountsCopiesWithTheVaultsRoleAndExternalId() {
    JobMessage job =
        JobBuilder.build(
            RUN,
            account(Optional.empty(), List.of(DR, TO_VAULT)),
            new FoundInstance("i-0123456789abcdef0", "us-east-1", "running", Map.of()),
            NOW);

    assertThat(job.copies())
        .containsExactly(
            new CopyRequest(A, "eu-west-1", null, null, "alias/amifleet-dr"),
            new CopyRequest(VAULT, "eu-central-1", VAULT_ROLE, "vault-secret-9", null));
  }

  @Test
  void copiesWithRetentionGetARetentionJobPerDestinationInTheirOwnAccount() {
    List<PruneMessage> jobs =
        PruneJobs.forAccount(RUN, account(Optional.empty(), List.of(DR, TO_VAULT)), NOW);

    assertThat(jobs).hasSize(2).allMatch(PruneMessage::ofCopies);
    assertThat(jobs.get(0))
        .satisfies(
            p -> {
              assertThat(p.accountId()).isEqualTo(A);
              assertThat(p.region()).isEqualTo("eu-west-1");
              assertThat(p.roleArn()).isEqualTo("arn:aws:iam::" + A + ":role/AmiFleetCreator");
              assertThat(p.keepLast()).isEqualTo(14);
              assertThat(p.jobId()).isEqualTo(JobIds.copyPruneJobId(RUN, A, "eu-west-1"));
            });
    assertThat(jobs.get(1))
        .satisfies(
            p -> {
              assertThat(p.accountId()).isEqualTo(VAULT);
              assertThat(p.roleArn()).isEqualTo(VAULT_ROLE);
              assertThat(p.externalId()).isEqualTo("vault-secret-9");
              assertThat(p.keepLast()).isEqualTo(30);
            });
  }

  @Test
  void theAccountsOwnRetentionStillGetsOneJobPerRegionBesideTheCopies() {
    List<PruneMessage> jobs =
        PruneJobs.forAccount(
            RUN,
            account(Optional.of(new Retention(Optional.of(7), Optional.empty())), List.of(DR)),
            NOW);

    assertThat(jobs).hasSize(3);
    assertThat(jobs)
        .filteredOn(p -> !p.ofCopies())
        .extracting(PruneMessage::region)
        .containsExactly("us-east-1", "us-west-2");
  }
}
