package io.amifleet.common.aws;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.secret.Secrets;
import java.util.Optional;

/** A role to assume in a target account, with the ExternalId its trust policy demands. */
public record RoleKey(String roleArn, Optional<String> externalId) {
  public RoleKey {
    requireNonNull(roleArn, "roleArn is null");
    requireNonNull(externalId, "externalId is null");
  }

  public static RoleKey of(String roleArn, String externalId) {
    return new RoleKey(roleArn, Optional.ofNullable(externalId));
  }

  /** The role; the ExternalId is a secret and shows only as {@link Secrets#MASK}. */
  @Override
  public String toString() {
    return "RoleKey[roleArn="
        + roleArn
        + ", externalId="
        + externalId.map(Secrets::mask).orElse("none")
        + "]";
  }
}
