package io.amifleet.common.message;

import static io.amifleet.common.message.Identifiers.ACCOUNT_ID;
import static io.amifleet.common.message.Identifiers.IMAGE_NAME;
import static io.amifleet.common.message.Identifiers.INSTANCE_ID;
import static io.amifleet.common.message.Identifiers.PLAIN_ID;
import static io.amifleet.common.message.Identifiers.REGION;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonView;
import io.amifleet.common.json.Json;
import io.amifleet.common.secret.Secrets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One image to make: the message the dispatcher puts on the jobs queue (schema version 1).
 *
 * <p>Construction validates every field, and that the job ID is the one {@link JobIds#jobId} gives
 * for the job's run, account, region and instance, so an instance of this record is always a job a
 * worker may act on; an {@link IllegalArgumentException} or {@link NullPointerException} from here
 * means the message is poison. Optional fields: {@code externalId}, {@code tags}, {@code reboot},
 * {@code copyInstanceTags}, {@code createdAt}, {@code hooks} (SSM commands around CreateImage),
 * {@code excludeDevices} (volumes left out of the image), {@code copies} (the image's
 * disaster-recovery copies, {@link CopyRequest}).
 *
 * <p>The ExternalId is a secret: only the queues carry it ({@link Json.Wire}); {@link #toString()}
 * and JSON written for people leave it out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobMessage(
    Integer v,
    String jobId,
    String runId,
    String accountId,
    String region,
    String roleArn,
    @JsonView(Json.Wire.class) String externalId,
    String instanceId,
    String imageName,
    Boolean reboot,
    Map<String, String> tags,
    Boolean copyInstanceTags,
    Instant createdAt,
    Hooks hooks,
    List<String> excludeDevices,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<CopyRequest> copies)
    implements WorkItem {

  public static final int VERSION = 1;

  /** The {@code kind} of an image job, which its messages may leave out. */
  public static final String KIND = "image";

  public JobMessage {
    requireNonNull(v, "v is null");
    if (v != VERSION) {
      throw new IllegalArgumentException("unsupported schema version v=" + v);
    }
    Identifiers.require(jobId, "jobId", PLAIN_ID);
    Identifiers.require(runId, "runId", PLAIN_ID);
    Identifiers.require(accountId, "accountId", ACCOUNT_ID);
    Identifiers.require(region, "region", REGION);
    Identifiers.requireRoleIn(roleArn, accountId);
    Identifiers.checkExternalId(externalId);
    Identifiers.require(instanceId, "instanceId", INSTANCE_ID);
    JobIds.requireMatching(
        jobId,
        JobIds.jobId(runId, accountId, region, instanceId),
        "runId, accountId, region and instanceId");
    Identifiers.require(imageName, "imageName", IMAGE_NAME);
    reboot = reboot != null && reboot;
    copyInstanceTags = copyInstanceTags != null && copyInstanceTags;
    tags = Tags.validated(tags == null ? Map.of() : tags, "tags");
    excludeDevices =
        excludeDevices == null || excludeDevices.isEmpty()
            ? null
            : Devices.validated(excludeDevices, "excludeDevices");
    copies = copies == null ? List.of() : List.copyOf(copies);
    Set<String> destinations = new HashSet<>();
    for (CopyRequest copy : copies) {
      if (copy.accountId().equals(accountId) && copy.region().equals(region)) {
        throw new IllegalArgumentException("copies: a copy into the job's own account and region");
      }
      if (!copy.accountId().equals(accountId) && !copy.vault()) {
        throw new IllegalArgumentException(
            "copies: a copy into account " + copy.accountId() + " needs that account's roleArn");
      }
      if (!destinations.add(copy.destination())) {
        throw new IllegalArgumentException("copies: " + copy.destination() + " listed twice");
      }
    }
  }

  /** A job without hooks, devices left out or copies (schema version 1, as first written). */
  public JobMessage(
      Integer v,
      String jobId,
      String runId,
      String accountId,
      String region,
      String roleArn,
      String externalId,
      String instanceId,
      String imageName,
      Boolean reboot,
      Map<String, String> tags,
      Boolean copyInstanceTags,
      Instant createdAt) {
    this(
        v,
        jobId,
        runId,
        accountId,
        region,
        roleArn,
        externalId,
        instanceId,
        imageName,
        reboot,
        tags,
        copyInstanceTags,
        createdAt,
        null,
        null,
        List.of());
  }

  /** This job, making {@code value} copies of its image once it is available. */
  public JobMessage withCopies(List<CopyRequest> value) {
    return new JobMessage(
        v,
        jobId,
        runId,
        accountId,
        region,
        roleArn,
        externalId,
        instanceId,
        imageName,
        reboot,
        tags,
        copyInstanceTags,
        createdAt,
        hooks,
        excludeDevices,
        value);
  }

  /** Builds a version-1 job. */
  public static JobMessage of(
      String jobId,
      String runId,
      String accountId,
      String region,
      String roleArn,
      String externalId,
      String instanceId,
      String imageName,
      boolean reboot,
      Map<String, String> tags,
      boolean copyInstanceTags,
      Instant createdAt) {
    return new JobMessage(
        VERSION,
        jobId,
        runId,
        accountId,
        region,
        roleArn,
        externalId,
        instanceId,
        imageName,
        reboot,
        new TreeMap<>(tags),
        copyInstanceTags,
        createdAt,
        null,
        null,
        List.of());
  }

  /** This job with SSM hooks around its CreateImage (none when {@code null}). */
  public JobMessage withHooks(Hooks value) {
    return new JobMessage(
        v,
        jobId,
        runId,
        accountId,
        region,
        roleArn,
        externalId,
        instanceId,
        imageName,
        reboot,
        tags,
        copyInstanceTags,
        createdAt,
        value,
        excludeDevices,
        copies);
  }

  /** This job leaving {@code devices} out of its image (as NoDevice mappings). */
  public JobMessage withExcludeDevices(List<String> devices) {
    return new JobMessage(
        v,
        jobId,
        runId,
        accountId,
        region,
        roleArn,
        externalId,
        instanceId,
        imageName,
        reboot,
        tags,
        copyInstanceTags,
        createdAt,
        hooks,
        devices,
        copies);
  }

  /** The devices left out of the image; empty when none. */
  public List<String> excludedDevices() {
    return excludeDevices == null ? List.of() : excludeDevices;
  }

  @Override
  public ResultMessage.Builder result() {
    return WorkItem.super.result().instanceId(instanceId).imageName(imageName);
  }

  /** The generated one, but with the ExternalId masked. */
  @Override
  public String toString() {
    return Secrets.describe(this);
  }
}
