package io.amifleet.common.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code accounts: {fromOrganization: ...}} of targets.yaml: the accounts of these organizational
 * units (nested ones included; the whole organization when none is given), except {@code exclude},
 * each with the file's defaults ({@code prototype} holds them, for a placeholder account).
 *
 * @param readerRoleArn a role to assume for the Organizations calls (e.g. in the management
 *     account); empty: the hub's own credentials
 */
public record OrganizationSource(
    List<String> ous,
    Set<String> exclude,
    Optional<String> readerRoleArn,
    AccountTarget prototype) {
  public static final String PLACEHOLDER_ACCOUNT = "000000000000";

  public OrganizationSource {
    ous = List.copyOf(requireNonNull(ous, "ous is null"));
    exclude = Set.copyOf(requireNonNull(exclude, "exclude is null"));
    requireNonNull(readerRoleArn, "readerRoleArn is null");
    requireNonNull(prototype, "prototype is null");
  }
}
