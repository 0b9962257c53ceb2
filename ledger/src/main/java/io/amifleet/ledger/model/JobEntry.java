package io.amifleet.ledger.model;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.message.JobStatus;
import io.amifleet.common.message.ResultMessage;
import java.time.Duration;
import java.util.Optional;

/**
 * One job of a run: what the dispatcher sent (when it recorded it) and its result (when one came).
 *
 * @param instanceId absent for a retention job
 * @param kind {@code "image"} or {@code "prune"}
 * @param dispatched whether the dispatcher recorded the job as sent
 * @param result the result the ledger keeps (de-duplicated: a success over a failure, else the
 *     latest); absent while the job has none
 */
public record JobEntry(
    String jobId,
    String accountId,
    String region,
    String instanceId,
    String kind,
    boolean dispatched,
    ResultMessage result) {

  public JobEntry {
    requireNonNull(jobId, "jobId is null");
    requireNonNull(accountId, "accountId is null");
    requireNonNull(region, "region is null");
    requireNonNull(kind, "kind is null");
  }

  public static JobEntry of(ResultMessage result, boolean dispatched) {
    return new JobEntry(
        result.jobId(),
        result.accountId(),
        result.region(),
        result.instanceId(),
        result.isPrune() ? "prune" : "image",
        dispatched,
        result);
  }

  public Optional<JobStatus> status() {
    return result == null ? Optional.empty() : Optional.of(result.status());
  }

  /** "account/region/instance" (or "account/region/retention"), how people name a job. */
  public String label() {
    return accountId + "/" + region + "/" + (instanceId == null ? "retention" : instanceId);
  }

  /** From the job's start to its image available (or its end), when the result says both. */
  public Optional<Duration> duration() {
    if (result == null || result.startedAt() == null || result.finishedAt() == null) {
      return Optional.empty();
    }
    return Optional.of(Duration.between(result.startedAt(), result.finishedAt()));
  }
}
