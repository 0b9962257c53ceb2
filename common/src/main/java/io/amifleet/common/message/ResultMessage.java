package io.amifleet.common.message;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * The outcome of one job as published on the results queue (schema version 1). Results are
 * at-least-once: consumers de-duplicate by {@code jobId}.
 *
 * <p>Made with a {@link Builder}, which starts from the job ({@link WorkItem#result()}) and is
 * filled in by the steps that learn something (the image, whether it was adopted, the snapshots),
 * so that no caller lines up the record's many optional components by position. The canonical
 * constructor is for Jackson.
 *
 * @param adopted for an image job whose image exists: true when an earlier attempt or run made it
 *     (the job adopted it), false when this attempt created it; absent otherwise
 * @param kind {@code "prune"} for a retention job's result, absent for an image job's
 * @param prune what a retention job did
 * @param consistency for an image job that made or adopted an image: {@code application}, {@code
 *     crash} or {@code reboot} ({@link Consistency})
 * @param hookError what went wrong with the job's SSM hooks (a failed pre hook of an image made
 *     anyway, a post hook that failed): absent when they succeeded or there were none
 * @param copies for an image job with copies: each copy's destination, image and state
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
    Boolean adopted,
    String errorCode,
    String errorMessage,
    Integer attempt,
    Instant startedAt,
    Instant finishedAt,
    String kind,
    PruneSummary prune,
    String consistency,
    String hookError,
    List<CopyResult> copies) {

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

  /** An empty builder; {@link WorkItem#result()} starts one from a job. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this result's values. */
  public Builder toBuilder() {
    return new Builder()
        .jobId(jobId)
        .runId(runId)
        .accountId(accountId)
        .region(region)
        .instanceId(instanceId)
        .status(status)
        .imageId(imageId)
        .imageName(imageName)
        .snapshotIds(snapshotIds)
        .adopted(adopted)
        .errorCode(errorCode)
        .errorMessage(errorMessage)
        .attempt(attempt)
        .startedAt(startedAt)
        .finishedAt(finishedAt)
        .kind(kind)
        .prune(prune)
        .consistency(consistency)
        .hookError(hookError)
        .copies(copies);
  }

  @JsonIgnore
  public boolean isPrune() {
    return PruneMessage.KIND.equals(kind);
  }

  public boolean succeeded() {
    return status == JobStatus.SUCCEEDED;
  }

  /**
   * Whether this result of a job replaces {@code current}, an earlier one of the same job: a
   * success replaces a failure (a replayed job), never the reverse; otherwise the later one wins. A
   * redelivered result (the same finish time) replaces nothing. Every reader of results (the {@code
   * results} command, the run ledger) de-duplicates by this rule.
   */
  public boolean supersedes(ResultMessage current) {
    if (succeeded() != current.succeeded()) {
      return succeeded();
    }
    return finishedAt != null
        && (current.finishedAt() == null || finishedAt.isAfter(current.finishedAt()));
  }

  /** Builds a version-1 result. Not thread-safe: one owner at a time. */
  public static final class Builder {
    private String jobId;
    private String runId;
    private String accountId;
    private String region;
    private String instanceId;
    private JobStatus status;
    private String imageId;
    private String imageName;
    private List<String> snapshotIds;
    private Boolean adopted;
    private String errorCode;
    private String errorMessage;
    private Integer attempt;
    private Instant startedAt;
    private Instant finishedAt;
    private String kind;
    private PruneSummary prune;
    private String consistency;
    private String hookError;
    private List<CopyResult> copies;

    private Builder() {}

    public Builder jobId(String value) {
      jobId = value;
      return this;
    }

    public Builder runId(String value) {
      runId = value;
      return this;
    }

    public Builder accountId(String value) {
      accountId = value;
      return this;
    }

    public Builder region(String value) {
      region = value;
      return this;
    }

    public Builder instanceId(String value) {
      instanceId = value;
      return this;
    }

    public Builder status(JobStatus value) {
      status = value;
      return this;
    }

    public Builder imageId(String value) {
      imageId = value;
      return this;
    }

    public Builder imageName(String value) {
      imageName = value;
      return this;
    }

    public Builder snapshotIds(List<String> value) {
      snapshotIds = value;
      return this;
    }

    public Builder adopted(Boolean value) {
      adopted = value;
      return this;
    }

    public Builder errorCode(String value) {
      errorCode = value;
      return this;
    }

    public Builder errorMessage(String value) {
      errorMessage = value;
      return this;
    }

    public Builder attempt(Integer value) {
      attempt = value;
      return this;
    }

    public Builder startedAt(Instant value) {
      startedAt = value;
      return this;
    }

    public Builder finishedAt(Instant value) {
      finishedAt = value;
      return this;
    }

    public Builder kind(String value) {
      kind = value;
      return this;
    }

    public Builder prune(PruneSummary value) {
      prune = value;
      return this;
    }

    public Builder consistency(String value) {
      consistency = value;
      return this;
    }

    /** Adds {@code value} to what went wrong with the hooks (a pre and a post may both fail). */
    public Builder hookError(String value) {
      hookError = hookError == null || value == null ? value : hookError + "; " + value;
      return this;
    }

    public Builder copies(List<CopyResult> value) {
      copies = value == null || value.isEmpty() ? null : List.copyOf(value);
      return this;
    }

    /** The job succeeded at {@code at}. */
    public ResultMessage succeeded(Instant at) {
      return status(JobStatus.SUCCEEDED).errorCode(null).errorMessage(null).finishedAt(at).build();
    }

    /** The job ended {@code status} (FAILED or TIMED_OUT) at {@code at}, with the error. */
    public ResultMessage unsuccessful(
        JobStatus status, String errorCode, String errorMessage, Instant at) {
      if (status == JobStatus.SUCCEEDED) {
        throw new IllegalArgumentException("use succeeded() for a successful job");
      }
      return status(status)
          .errorCode(requireNonNull(errorCode, "errorCode is null"))
          .errorMessage(errorMessage)
          .finishedAt(at)
          .build();
    }

    public ResultMessage build() {
      return new ResultMessage(
          VERSION,
          jobId,
          runId,
          accountId,
          region,
          instanceId,
          status,
          imageId,
          imageName,
          snapshotIds,
          adopted,
          errorCode,
          errorMessage,
          attempt,
          startedAt,
          finishedAt,
          kind,
          prune,
          consistency,
          hookError,
          copies);
    }
  }
}
