package io.amifleet.dispatcher.job;

import io.amifleet.common.config.AccountTarget;
import io.amifleet.common.config.CopyTarget;
import io.amifleet.common.config.Retention;
import io.amifleet.common.message.JobIds;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.PruneMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One prune job per region of an account with a retention policy, and one per destination of its
 * copies that have a policy of their own (in the copy's account: a vault's copies are pruned
 * through the vault's role). Stateless.
 */
public final class PruneJobs {
  private PruneJobs() {}

  public static List<PruneMessage> forAccount(
      String runId, AccountTarget account, Instant createdAt) {
    List<PruneMessage> jobs = new ArrayList<>();
    for (CopyTarget copy : account.copies()) {
      if (copy.retention().isEmpty()) {
        continue;
      }
      Retention r = copy.retention().get();
      String in = copy.accountIn(account.id());
      jobs.add(
          new PruneMessage(
              JobMessage.VERSION,
              PruneMessage.KIND,
              JobIds.copyPruneJobId(runId, in, copy.region()),
              runId,
              in,
              copy.region(),
              copy.roleArn().orElse(account.roleArn()),
              copy.vaultAccount().isPresent()
                  ? copy.externalId().orElse(null)
                  : account.externalId().orElse(null),
              r.keepLast().orElse(null),
              r.maxAge().map(Duration::toSeconds).orElse(null),
              createdAt,
              r.deprecateAfter().map(Duration::toSeconds).orElse(null),
              r.deleteAfterDeprecation().map(Duration::toSeconds).orElse(null),
              r.allowShared().orElse(null),
              r.launchTemplateVersions().map(v -> v.yaml()).orElse(null),
              r.parameterPaths().orElse(null),
              true));
    }
    if (account.retention().isEmpty()) {
      return jobs;
    }
    Retention r = account.retention().get();
    for (String region : account.regions()) {
      jobs.add(
          new PruneMessage(
              JobMessage.VERSION,
              PruneMessage.KIND,
              JobIds.pruneJobId(runId, account.id(), region),
              runId,
              account.id(),
              region,
              account.roleArn(),
              account.externalId().orElse(null),
              r.keepLast().orElse(null),
              r.maxAge().map(Duration::toSeconds).orElse(null),
              createdAt,
              r.deprecateAfter().map(Duration::toSeconds).orElse(null),
              r.deleteAfterDeprecation().map(Duration::toSeconds).orElse(null),
              r.allowShared().orElse(null),
              r.launchTemplateVersions().map(v -> v.yaml()).orElse(null),
              r.parameterPaths().orElse(null),
              null));
    }
    return jobs;
  }
}
