package io.amifleet.dispatcher.testing;

import io.amifleet.common.config.AccountTarget;
import io.amifleet.dispatcher.resolve.FoundInstance;
import io.amifleet.dispatcher.resolve.InstanceFinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Answers DescribeInstances searches from a table of (account, region) → instances or failure,
 * after a latency on a thread of its own, as the SDK's async client would. Records every search and
 * the largest number of searches in flight at once. Thread-safe; close it to stop its thread.
 */
public final class FakeInstanceFinder implements InstanceFinder, AutoCloseable {
  private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(4);
  private final Duration latency;
  private final Map<String, List<FoundInstance>> answers = new HashMap<>();
  private final Map<String, Throwable> failures = new HashMap<>();
  private final Map<String, CompletableFuture<Void>> holds = new HashMap<>();
  private final List<String> searches = new ArrayList<>();
  private int inFlight;
  private int maxInFlight;

  public FakeInstanceFinder(Duration latency) {
    this.latency = latency;
  }

  private static String key(String accountId, String region) {
    return accountId + "/" + region;
  }

  /** The search of {@code accountId} in {@code region} finds {@code instances}. */
  public synchronized FakeInstanceFinder answer(
      String accountId, String region, FoundInstance... instances) {
    answers.put(key(accountId, region), List.of(instances));
    return this;
  }

  /** The search of {@code accountId} in {@code region} fails with {@code error}. */
  public synchronized FakeInstanceFinder fail(String accountId, String region, Throwable error) {
    failures.put(key(accountId, region), error);
    return this;
  }

  /**
   * The search of {@code accountId} in {@code region} answers only after the returned gate is
   * completed (and the latency).
   */
  public synchronized CompletableFuture<Void> hold(String accountId, String region) {
    return holds.computeIfAbsent(key(accountId, region), k -> new CompletableFuture<>());
  }

  /** The searches made, as "account/region", in order. */
  public synchronized List<String> searches() {
    return List.copyOf(searches);
  }

  public synchronized int maxInFlight() {
    return maxInFlight;
  }

  @Override
  public CompletableFuture<List<FoundInstance>> find(AccountTarget account, String region) {
    String key = key(account.id(), region);
    List<FoundInstance> found;
    Throwable failure;
    CompletableFuture<Void> gate;
    synchronized (this) {
      gate = holds.getOrDefault(key, CompletableFuture.completedFuture(null));
      searches.add(key);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      found = answers.getOrDefault(key, List.of());
      failure = failures.get(key);
    }
    CompletableFuture<List<FoundInstance>> result = new CompletableFuture<>();
    Runnable answer =
        () -> {
          // Leave the in-flight count before completing: completion lets the next search start.
          synchronized (this) {
            inFlight--;
          }
          if (failure != null) {
            result.completeExceptionally(failure);
          } else {
            result.complete(found);
          }
        };
    gate.thenRun(() -> executor.schedule(answer, latency.toMillis(), TimeUnit.MILLISECONDS));
    return result;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
