package io.amifleet.common.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A loaded and validated targets file. */
public record Targets(String source, List<AccountTarget> accounts) {
  public Targets {
    requireNonNull(source, "source is null");
    accounts = List.copyOf(requireNonNull(accounts, "accounts is null"));
  }

  public int accountRegionCount() {
    return accounts.stream().mapToInt(a -> a.regions().size()).sum();
  }
}
