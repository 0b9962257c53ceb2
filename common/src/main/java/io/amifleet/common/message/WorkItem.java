package io.amifleet.common.message;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What a message on the jobs queue asks for: an image of one instance ({@link JobMessage}), or the
 * retention of one account+region applied ({@link PruneMessage}).
 *
 * <p>Jackson tells them apart by the {@code kind} field ({@value PruneMessage#KIND} for a retention
 * job); a message without {@code kind} is an image job, as every job was before retention jobs
 * existed ({@link MessageCodec} reads it so). There is no Jackson {@code defaultImpl} on purpose:
 * it would also take an unknown kind for an image job, where it must be poison. A new kind of job
 * is a new record here, a name below, and a pipeline of steps in the worker.
 */
@JsonTypeInfo(
    use = JsonTypeInfo.Id.NAME,
    include = JsonTypeInfo.As.EXISTING_PROPERTY,
    property = "kind",
    visible = true)
@JsonSubTypes({
  @JsonSubTypes.Type(value = JobMessage.class, name = JobMessage.KIND),
  @JsonSubTypes.Type(value = PruneMessage.class, name = PruneMessage.KIND)
})
public sealed interface WorkItem permits JobMessage, PruneMessage {
  String jobId();

  String runId();

  String accountId();

  String region();

  String roleArn();

  String externalId();

  /** A result of this job, with what the job itself says filled in (its IDs, its kind). */
  default ResultMessage.Builder result() {
    return ResultMessage.builder()
        .jobId(jobId())
        .runId(runId())
        .accountId(accountId())
        .region(region());
  }
}
