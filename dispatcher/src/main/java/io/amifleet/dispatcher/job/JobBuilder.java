package io.amifleet.dispatcher.job;

import io.amifleet.common.config.AccountTarget;
import io.amifleet.common.config.CopyTarget;
import io.amifleet.common.message.CopyRequest;
import io.amifleet.common.message.JobIds;
import io.amifleet.common.message.JobMessage;
import io.amifleet.dispatcher.resolve.FoundInstance;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Turns a found instance into its job. Stateless and thread-safe. */
public final class JobBuilder {
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HHmmss").withZone(ZoneOffset.UTC);

  private JobBuilder() {}

  public static JobMessage build(
      String runId, AccountTarget account, FoundInstance instance, Instant dispatchedAt) {
    String jobId = JobIds.jobId(runId, account.id(), instance.region(), instance.instanceId());
    Map<String, String> values = new HashMap<>();
    values.put("instanceName", instance.displayName());
    values.put("instanceId", instance.instanceId());
    values.put("accountId", account.id());
    values.put("accountName", account.label());
    values.put("region", instance.region());
    values.put("date", DATE.format(dispatchedAt));
    values.put("time", TIME.format(dispatchedAt));
    values.put("runId", runId);
    values.put("jobId", jobId);
    values.put("shortJobId", JobIds.shortJobId(jobId));
    List<CopyRequest> copies = new ArrayList<>();
    for (CopyTarget copy : account.copies()) {
      copies.add(
          new CopyRequest(
              copy.accountIn(account.id()),
              copy.region(),
              copy.roleArn().orElse(null),
              copy.externalId().orElse(null),
              copy.kmsKeyId().orElse(null)));
    }
    return JobMessage.of(
            jobId,
            runId,
            account.id(),
            instance.region(),
            account.roleArn(),
            account.externalId().orElse(null),
            instance.instanceId(),
            account.imageName().render(values),
            account.reboot(),
            account.tags(),
            account.copyInstanceTags(),
            dispatchedAt)
        .withHooks(account.hooks().orElse(null))
        .withExcludeDevices(account.excludeDevices())
        .withCopies(copies);
  }
}
