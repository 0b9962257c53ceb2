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
    List<FoundInstance> answer;
    Throwable failure;
    synchronized (this) {
      searches.add(key);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      answer = answers.getOrDefault(key, List.of());
      failure = failures.get(key);
    }
    CompletableFuture<List<FoundInstance>> result = new CompletableFuture<>();
    executor.schedule(
        () -> {
          // Leave the in-flight count before completing: completion lets the next search start.
          synchronized (this) {
            inFlight--;
          }
          if (failure != null) {
            result.completeExceptionally(failure);
          } else {
            result.complete(answer);
          }
        },
        latency.toMillis(),
        TimeUnit.MILLISECONDS);
    return result;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
