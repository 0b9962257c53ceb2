package io.amifleet.common.config;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.regions.Region;

/**
 * Region names checked where configuration is read (targets.yaml, {@code --region}), against the
 * SDK's region metadata: every region it knows, opt-in regions included (af-south-1, me-central-1,
 * ...), without its global pseudo-regions (aws-global, aws-cn-global, ...). A misspelt region then
 * fails with the other configuration problems, with a "did you mean", instead of reaching the
 * network. Stateless; thread-safe.
 */
public final class Regions {
  private static final Set<String> KNOWN =
      Region.regions().stream()
          .filter(r -> !r.isGlobalRegion())
          .map(Region::id)
          .collect(Collectors.toUnmodifiableSet());

  private Regions() {}

  /** What is wrong with {@code region}; empty when the SDK knows it. */
  public static Optional<String> problem(String region) {
    if (KNOWN.contains(region)) {
      return Optional.empty();
    }
    String hint = Suggestions.didYouMean(region, KNOWN);
    return Optional.of(
        "'"
            + region
            + "' is not an AWS region"
            + (hint.isEmpty()
                ? " (names look like us-east-1; a region AWS opened after this amifleet was built"
                    + " needs a newer amifleet)"
                : hint));
  }
}
