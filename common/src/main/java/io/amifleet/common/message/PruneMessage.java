package io.amifleet.common.message;

import static io.amifleet.common.message.Identifiers.ACCOUNT_ID;
import static io.amifleet.common.message.Identifiers.PLAIN_ID;
import static io.amifleet.common.message.Identifiers.REGION;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonView;
import io.amifleet.common.config.Retention;
import io.amifleet.common.json.Json;
import io.amifleet.common.secret.Secrets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Applies an account's retention policy in one region (schema version 1, {@code kind: "prune"}):
 * images amifleet made beyond the policy are deregistered and their snapshots deleted.
 *
 * <p>Its job ID is {@link JobIds#pruneJobId} of its run, account and region. The ExternalId is a
 * secret, as in {@link JobMessage}.
 *
 * @param keepLast keep this many newest images per instance (null: not limited by count)
 * @param maxAgeSeconds delete images older than this (null: not limited by age)
 * @param deprecateAfterSeconds deprecate images older than this (null: no deprecation by age)
 * @param deleteAfterDeprecationSeconds deregister an image past the policy only this long after its
 *     deprecation (null: deregister without deprecating first)
 * @param allowShared true: an image shared with other accounts may go (null: kept)
 * @param launchTemplateVersions {@code all} (null too) or {@code defaultAndLatest}: which launch
 *     template versions keep an image
 * @param parameterPaths SSM parameter paths whose values keep an image (null: none checked)
 * @param copies true: the policy applies to the disaster-recovery copies amifleet made in this
 *     account+region (a DR region, or a vault account through its own role), not to its images
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PruneMessage(
    Integer v,
    String kind,
    String jobId,
    String runId,
    String accountId,
    String region,
    String roleArn,
    @JsonView(Json.Wire.class) String externalId,
    Integer keepLast,
    Long maxAgeSeconds,
    Instant createdAt,
    Long deprecateAfterSeconds,
    Long deleteAfterDeprecationSeconds,
    Boolean allowShared,
    String launchTemplateVersions,
    List<String> parameterPaths,
    Boolean copies)
    implements WorkItem {

  public static final String KIND = "prune";

  public PruneMessage {
    requireNonNull(v, "v is null");
    if (v != JobMessage.VERSION) {
      throw new IllegalArgumentException("unsupported schema version v=" + v);
    }
    if (!KIND.equals(kind)) {
      throw new IllegalArgumentException("kind must be 'prune'");
    }
    Identifiers.require(jobId, "jobId", PLAIN_ID);
    Identifiers.require(runId, "runId", PLAIN_ID);
    Identifiers.require(accountId, "accountId", ACCOUNT_ID);
    Identifiers.require(region, "region", REGION);
    copies = copies != null && copies ? Boolean.TRUE : null;
    JobIds.requireMatching(
        jobId,
        copies == null
            ? JobIds.pruneJobId(runId, accountId, region)
            : JobIds.copyPruneJobId(runId, accountId, region),
        "runId, accountId and region");
    Identifiers.requireRoleIn(roleArn, accountId);
    Identifiers.checkExternalId(externalId);
    if (keepLast == null && maxAgeSeconds == null && deprecateAfterSeconds == null) {
      throw new IllegalArgumentException(
          "a prune job needs keepLast, maxAgeSeconds or both (or deprecateAfterSeconds)");
    }
    if (keepLast != null && keepLast < 0 || maxAgeSeconds != null && maxAgeSeconds <= 0) {
      throw new IllegalArgumentException("keepLast must be >= 0 and maxAgeSeconds > 0");
    }
    if (deprecateAfterSeconds != null && deprecateAfterSeconds <= 0
        || deleteAfterDeprecationSeconds != null && deleteAfterDeprecationSeconds <= 0) {
      throw new IllegalArgumentException(
          "deprecateAfterSeconds and deleteAfterDeprecationSeconds must be > 0");
    }
    if (launchTemplateVersions != null) {
      Retention.LaunchTemplateVersions.of(launchTemplateVersions);
    }
    parameterPaths = parameterPaths == null ? null : List.copyOf(parameterPaths);
  }

  /** The policy this job applies. */
  public Retention retention() {
    return new Retention(
        Optional.ofNullable(keepLast),
        Optional.ofNullable(maxAgeSeconds).map(Duration::ofSeconds),
        Optional.ofNullable(deprecateAfterSeconds).map(Duration::ofSeconds),
        Optional.ofNullable(deleteAfterDeprecationSeconds).map(Duration::ofSeconds),
        Optional.ofNullable(allowShared),
        Optional.ofNullable(launchTemplateVersions).map(Retention.LaunchTemplateVersions::of),
        Optional.ofNullable(parameterPaths));
  }

  /** A retention job of amifleet's images (not of copies). */
  public PruneMessage(
      Integer v,
      String kind,
      String jobId,
      String runId,
      String accountId,
      String region,
      String roleArn,
      String externalId,
      Integer keepLast,
      Long maxAgeSeconds,
      Instant createdAt) {
    this(
        v,
        kind,
        jobId,
        runId,
        accountId,
        region,
        roleArn,
        externalId,
        keepLast,
        maxAgeSeconds,
        createdAt,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** Whether this job prunes copies rather than images. */
  public boolean ofCopies() {
    return copies != null;
  }

  @Override
  public ResultMessage.Builder result() {
    return WorkItem.super.result().kind(KIND);
  }

  /** The generated one, but with the ExternalId masked. */
  @Override
  public String toString() {
    return Secrets.describe(this);
  }
}
