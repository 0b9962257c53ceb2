package io.amifleet.dispatcher.job;

import io.amifleet.common.config.AccountTarget;
import io.amifleet.common.config.Retention;
import io.amifleet.common.message.JobIds;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.PruneMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** One prune job per region of an account with a retention policy. Stateless. */
public final class PruneJobs {
  private PruneJobs() {}

  public static List<PruneMessage> forAccount(
      String runId, AccountTarget account, Instant createdAt) {
    List<PruneMessage> jobs = new ArrayList<>();
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
              r.parameterPaths().orElse(null)));
    }
    return jobs;
  }
}
