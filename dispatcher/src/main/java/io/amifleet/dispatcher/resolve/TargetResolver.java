package io.amifleet.dispatcher.resolve;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.config.AccountTarget;
import io.amifleet.common.config.Targets;
import io.amifleet.common.error.AwsErrors;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Resolves a targets file into instances: every account and region searched in parallel, at most
 * {@code parallelism} at a time, each account's result available as soon as its regions are
 * searched ({@link #search}). An account that cannot be reached is reported and does not stop the
 * others. Explicitly listed instance IDs that were not found, or were found in a state the selector
 * does not image, are reported by name.
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

  /** Every account's instances, in the targets' order, once every search has ended. */
  public List<AccountResolution> resolve(Targets targets) {
    return search(targets).stream().map(CompletableFuture::join).toList();
  }

  /**
   * Starts the searches and returns at once: one future per account, in the targets' order, that
   * completes (never exceptionally: an account that cannot be searched has errors) when all of its
   * regions are searched. The dispatcher sends an account's jobs as soon as its future completes,
   * while the others are still searched. At most {@code parallelism} searches run at a time; the
   * next starts when one ends, so the caller never waits here.
   */
  public List<CompletableFuture<AccountResolution>> search(Targets targets) {
    Launcher launcher = new Launcher();
    Map<AccountTarget, List<Search>> byAccount = new LinkedHashMap<>();
    for (AccountTarget account : targets.accounts()) {
      for (String region : account.regions()) {
        Search s = new Search(account, region, new CompletableFuture<>());
        byAccount.computeIfAbsent(account, a -> new ArrayList<>()).add(s);
        launcher.queued.add(s);
      }
    }
    List<CompletableFuture<AccountResolution>> out = new ArrayList<>();
    byAccount.forEach(
        (account, list) ->
            out.add(
                CompletableFuture.allOf(
                        list.stream().map(Search::result).toArray(CompletableFuture[]::new))
                    .handle((ignored, e) -> collect(account, list))));
    launcher.startMore();
    return out;
  }

  /**
   * Starts queued searches while fewer than {@code parallelism} run. A search that ends at once (a
   * finder that fails before any call) does not start the next one from inside this loop: the loop
   * itself goes on, so thousands of such accounts cannot overflow the stack.
   */
  private final class Launcher {
    private final ArrayDeque<Search> queued = new ArrayDeque<>();
    private int running;
    private boolean launching;

    void startMore() {
      synchronized (this) {
        if (launching) {
          return; // the loop below sees the freed slot
        }
        launching = true;
      }
      while (true) {
        Search s;
        synchronized (this) {
          if (running >= parallelism || queued.isEmpty()) {
            launching = false;
            return;
          }
          running++;
          s = queued.poll();
        }
        start(s);
      }
    }

    private void start(Search s) {
      CompletableFuture<List<FoundInstance>> found;
      try {
        found = finder.find(s.account(), s.region());
      } catch (RuntimeException e) {
        found = CompletableFuture.failedFuture(e);
      }
      found.whenComplete(
          (r, e) -> {
            synchronized (this) {
              running--;
            }
            startMore(); // the next search starts before this one's result is passed on
            if (e != null) {
              s.result().completeExceptionally(e);
            } else {
              s.result().complete(r);
            }
          });
    }
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
