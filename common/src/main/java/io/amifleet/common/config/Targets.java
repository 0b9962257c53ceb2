package io.amifleet.common.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * A loaded and validated targets file: its accounts, or where to discover them (AWS Organizations),
 * whose accounts {@link OrganizationAccounts} adds before dispatch.
 */
public record Targets(
    String source, List<AccountTarget> accounts, Optional<OrganizationSource> organization) {
  public Targets {
    requireNonNull(source, "source is null");
    accounts = List.copyOf(requireNonNull(accounts, "accounts is null"));
    requireNonNull(organization, "organization is null");
  }

  public Targets(String source, List<AccountTarget> accounts) {
    this(source, accounts, Optional.empty());
  }

  public int accountRegionCount() {
    return accounts.stream().mapToInt(a -> a.regions().size()).sum();
  }

  /**
   * True when some account keeps images (or copies) by a retention policy, counting the accounts an
   * organization would add (they take the file's defaults).
   */
  public boolean hasRetention() {
    return accounts.stream().anyMatch(Targets::keeps)
        || organization.map(o -> keeps(o.prototype())).orElse(false);
  }

  private static boolean keeps(AccountTarget a) {
    return a.retention().isPresent()
        || a.copies().stream().anyMatch(c -> c.retention().isPresent());
  }
}
