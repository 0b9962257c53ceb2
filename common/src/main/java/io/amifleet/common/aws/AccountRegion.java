package io.amifleet.common.aws;

import static java.util.Objects.requireNonNull;

/** One account in one region: the unit of EC2 throttling and of batched image polling. */
public record AccountRegion(String accountId, String region) {
  public AccountRegion {
    requireNonNull(accountId, "accountId is null");
    requireNonNull(region, "region is null");
  }

  @Override
  public String toString() {
    return accountId + "/" + region;
  }
}
