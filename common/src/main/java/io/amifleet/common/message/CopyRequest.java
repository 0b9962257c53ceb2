package io.amifleet.common.message;

import static io.amifleet.common.message.Identifiers.ACCOUNT_ID;
import static io.amifleet.common.message.Identifiers.KMS_KEY;
import static io.amifleet.common.message.Identifiers.REGION;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonView;
import io.amifleet.common.json.Json;
import io.amifleet.common.secret.Secrets;

/**
 * One disaster-recovery copy a job makes of its image once it is available: into {@code region} of
 * {@code accountId}, which is the job's own account (a DR region: no {@code roleArn}, the job's
 * role makes it) or a vault account (its {@code roleArn}, assumed with {@code externalId}, makes it
 * there). Validated like the job that carries it: an invalid one makes the job poison.
 *
 * @param kmsKeyId the key the copy is encrypted with; null: EC2's default for the destination
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CopyRequest(
    String accountId,
    String region,
    String roleArn,
    @JsonView(Json.Wire.class) String externalId,
    String kmsKeyId) {

  public CopyRequest {
    Identifiers.require(accountId, "copies.accountId", ACCOUNT_ID);
    Identifiers.require(region, "copies.region", REGION);
    if (roleArn != null) {
      Identifiers.requireRoleIn(roleArn, accountId);
    }
    Identifiers.checkExternalId(externalId);
    if (kmsKeyId != null) {
      Identifiers.require(kmsKeyId, "copies.kmsKeyId", KMS_KEY);
    }
  }

  /** True for a copy into another account, made there through its own role. */
  public boolean vault() {
    return roleArn != null;
  }

  /** "account/region", as reports and logs name the destination. */
  public String destination() {
    return accountId + "/" + region;
  }

  /** The generated one, but with the ExternalId masked. */
  @Override
  public String toString() {
    return Secrets.describe(this);
  }
}
