package io.amifleet.dispatcher.resolve;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.config.AccountTarget;
import io.amifleet.common.config.Targets;
import io.amifleet.common.error.AwsErrors;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Resolves a targets file into instances: every account and region searched in parallel, at most
 * {@code parallelism} at a time. An account that cannot be reached is reported and does not stop
 * the others. Explicitly listed instance IDs that were not found, or were found in a state the
 * selector does not image, are reported by name.
 */
public final class TargetResolver {
  public static final String PARALLELISM = "amifleet.dispatch.parallelism";

  private final InstanceFinder finder;
  private final int parallelism;

  @Inject
  public TargetResolver(InstanceFinder finder, @Named(PARALLELISM) int parallelism) {
    this.finder = requireNonNull(finder, "finder is null");
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be positive");
    }
    this.parallelism = parallelism;
  }

  private record Search(
      AccountTarget account, String region, CompletableFuture<List<FoundInstance>> result) {}

  public List<AccountResolution> resolve(Targets targets) {
    Semaphore permits = new Semaphore(parallelism);
    List<Search> searches = new ArrayList<>();
    for (AccountTarget account : targets.accounts()) {
      for (String region : account.regions()) {
        permits.acquireUninterruptibly();
        CompletableFuture<List<FoundInstance>> result;
        try {
          result = finder.find(account, region);
        } catch (RuntimeException e) {
          result = CompletableFuture.failedFuture(e);
        }
        result.whenComplete((r, e) -> permits.release());
        searches.add(new Search(account, region, result));
      }
    }
    Map<AccountTarget, List<Search>> byAccount = new LinkedHashMap<>();
    for (Search s : searches) {
      byAccount.computeIfAbsent(s.account(), a -> new ArrayList<>()).add(s);
    }
    List<AccountResolution> out = new ArrayList<>();
    byAccount.forEach((account, list) -> out.add(collect(account, list)));
    return out;
  }

  private static AccountResolution collect(AccountTarget account, List<Search> searches) {
    List<FoundInstance> instances = new ArrayList<>();
    List<FoundInstance> skipped = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Set<String> states = Set.copyOf(account.select().states());
    for (Search s : searches) {
      try {
        for (FoundInstance i : s.result().join()) {
          if (!seen.add(i.instanceId())) {
            continue;
          }
          if (states.contains(i.state())) {
            instances.add(i);
          } else {
            skipped.add(i);
          }
        }
      } catch (RuntimeException e) {
        errors.add(AwsErrors.translate(e, s.account().id() + "/" + s.region()).getMessage());
      }
    }
    List<String> missing = new ArrayList<>();
    if (errors.isEmpty()) {
      for (String id : account.select().instanceIds()) {
        if (!seen.contains(id)) {
          missing.add(id);
        }
      }
    }
    return new AccountResolution(account, instances, errors, missing, skipped);
  }
}
