package io.amifleet.dispatcher.resolve;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.config.AccountTarget;
import java.util.List;

/**
 * What target resolution found in one account, over all its regions.
 *
 * @param instances instances to image (in a selected state), in region order
 * @param errors one message per region that could not be searched (role, permissions, network)
 * @param missing explicitly listed instance IDs found in none of the account's regions
 * @param skipped explicitly listed instances found in a state the selector does not image
 */
public record AccountResolution(
    AccountTarget account,
    List<FoundInstance> instances,
    List<String> errors,
    List<String> missing,
    List<FoundInstance> skipped) {

  public AccountResolution {
    requireNonNull(account, "account is null");
    instances = List.copyOf(instances);
    errors = List.copyOf(errors);
    missing = List.copyOf(missing);
    skipped = List.copyOf(skipped);
  }

  /** True when something the user asked for could not be turned into a job. */
  public boolean hasProblems() {
    return !errors.isEmpty() || !missing.isEmpty() || !skipped.isEmpty();
  }
}
