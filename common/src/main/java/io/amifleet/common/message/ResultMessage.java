package io.amifleet.common.message;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * The outcome of one job as published on the results queue (schema version 1). Results are
 * at-least-once: consumers de-duplicate by {@code jobId}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResultMessage(
    Integer v,
    String jobId,
    String runId,
    String accountId,
    String region,
    String instanceId,
    JobStatus status,
    String imageId,
    String imageName,
    List<String> snapshotIds,
    String errorCode,
    String errorMessage,
    Integer attempt,
    Instant startedAt,
    Instant finishedAt,
    String kind,
    PruneSummary prune) {

  public static final int VERSION = 1;

  public ResultMessage {
    requireNonNull(v, "v is null");
    if (v != VERSION) {
      throw new IllegalArgumentException("unsupported schema version v=" + v);
    }
    requireNonNull(jobId, "jobId is null");
    requireNonNull(runId, "runId is null");
    requireNonNull(accountId, "accountId is null");
    requireNonNull(region, "region is null");
    if (!PruneMessage.KIND.equals(kind)) {
      requireNonNull(instanceId, "instanceId is null");
    }
    requireNonNull(status, "status is null");
    snapshotIds = snapshotIds == null ? List.of() : List.copyOf(snapshotIds);
  }

  public static ResultMessage succeeded(
      JobMessage job,
      String imageId,
      List<String> snapshotIds,
      int attempt,
      Instant startedAt,
      Instant finishedAt) {
    return new ResultMessage(
        VERSION,
        job.jobId(),
        job.runId(),
        job.accountId(),
        job.region(),
        job.instanceId(),
        JobStatus.SUCCEEDED,
        imageId,
        job.imageName(),
        snapshotIds,
        null,
        null,
        attempt,
        startedAt,
        finishedAt,
        null,
        null);
  }

  public static ResultMessage unsuccessful(
      JobMessage job,
      JobStatus status,
      String imageId,
      String errorCode,
      String errorMessage,
      int attempt,
      Instant startedAt,
      Instant finishedAt) {
    if (status == JobStatus.SUCCEEDED) {
      throw new IllegalArgumentException("use succeeded() for a successful job");
    }
    return new ResultMessage(
        VERSION,
        job.jobId(),
        job.runId(),
        job.accountId(),
        job.region(),
        job.instanceId(),
        status,
        imageId,
        job.imageName(),
        List.of(),
        requireNonNull(errorCode, "errorCode is null"),
        errorMessage,
        attempt,
        startedAt,
        finishedAt,
        null,
        null);
  }

  /** The outcome of a prune job. */
  public static ResultMessage pruned(
      PruneMessage job,
      JobStatus status,
      PruneSummary summary,
      String errorCode,
      String errorMessage,
      int attempt,
      Instant startedAt,
      Instant finishedAt) {
    return new ResultMessage(
        VERSION,
        job.jobId(),
        job.runId(),
        job.accountId(),
        job.region(),
        null,
        status,
        null,
        null,
        List.of(),
        errorCode,
        errorMessage,
        attempt,
        startedAt,
        finishedAt,
        PruneMessage.KIND,
        summary);
  }

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isPrune() {
    return PruneMessage.KIND.equals(kind);
  }

  public boolean succeeded() {
    return status == JobStatus.SUCCEEDED;
  }
}
