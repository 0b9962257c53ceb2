package io.amifleet.common.config;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.secret.Secrets;
import java.util.Optional;

/**
 * One destination of an account's disaster-recovery copies, as targets.yaml says it and checked:
 * another region of the account itself, or a region of a vault account, reached through the vault's
 * own role (with its ExternalId), whose copies the workload account cannot delete.
 *
 * @param vaultAccount the vault account; empty for a copy in the image's own account
 * @param region the destination region
 * @param roleArn the vault role (present exactly when {@code vaultAccount} is)
 * @param externalId the ExternalId the vault role demands (a secret)
 * @param kmsKeyId the key the copy is encrypted with (key ID, key ARN, alias name or alias ARN)
 * @param retention the copies' own retention, applied in the destination account+region
 */
public record CopyTarget(
    Optional<String> vaultAccount,
    String region,
    Optional<String> roleArn,
    Optional<String> externalId,
    Optional<String> kmsKeyId,
    Optional<Retention> retention) {

  public CopyTarget {
    requireNonNull(vaultAccount, "vaultAccount is null");
    requireNonNull(region, "region is null");
    requireNonNull(roleArn, "roleArn is null");
    requireNonNull(externalId, "externalId is null");
    requireNonNull(kmsKeyId, "kmsKeyId is null");
    requireNonNull(retention, "retention is null");
    if (vaultAccount.isPresent() != roleArn.isPresent()) {
      throw new IllegalArgumentException(
          "a vault copy needs its role, and only a vault copy has one");
    }
  }

  /** The account the copy is made in, for images of {@code sourceAccount}. */
  public String accountIn(String sourceAccount) {
    return vaultAccount.orElse(sourceAccount);
  }

  /** The generated one, but with the ExternalId masked. */
  @Override
  public String toString() {
    return Secrets.describe(this);
  }
}
