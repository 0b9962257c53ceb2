package io.amifleet.worker.image;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Turns many single look-ups of one account+region into few batched calls: items asked for within
 * {@code window}, up to {@code maxBatch} at a time, go out as one call, whose answer is handed back
 * item by item. Used for "is there an image for this job?" and "what are this instance's tags?", so
 * that a burst of jobs costs one DescribeImages or DescribeInstances per account+region instead of
 * one per job (EC2 throttles Describe calls per account and region too).
 *
 * <p>Thread-safe. Does not own the scheduler.
 *
 * @param <I> what is looked up (a job ID, an instance ID)
 * @param <R> the answer for one item
 */
public final class Coalescer<I, R> {
  private final ScheduledExecutorService timer;
  private final Duration window;
  private final int maxBatch;
  private final BiFunction<Ec2Target, List<I>, CompletableFuture<Map<I, R>>> batchCall;
  private final R absent;
  private final ConcurrentMap<Ec2Target, Batch> open = new ConcurrentHashMap<>();

  /**
   * @param batchCall looks up a batch; items missing from its answer get {@code absent}
   */
  public Coalescer(
      ScheduledExecutorService timer,
      Duration window,
      int maxBatch,
      BiFunction<Ec2Target, List<I>, CompletableFuture<Map<I, R>>> batchCall,
      R absent) {
    this.timer = requireNonNull(timer, "timer is null");
    this.window = requireNonNull(window, "window is null");
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be positive");
    }
    this.maxBatch = maxBatch;
    this.batchCall = requireNonNull(batchCall, "batchCall is null");
    this.absent = absent;
  }

  public CompletableFuture<R> get(Ec2Target target, I item) {
    CompletableFuture<R> answer = new CompletableFuture<>();
    Batch full = null;
    synchronized (this) {
      Batch batch = open.get(target);
      if (batch == null) {
        batch = new Batch(target);
        open.put(target, batch);
        Batch scheduled = batch;
        timer.schedule(() -> flush(scheduled), window.toMillis(), TimeUnit.MILLISECONDS);
      }
      batch.waiting.computeIfAbsent(item, k -> new ArrayList<>()).add(answer);
      if (batch.waiting.size() >= maxBatch) {
        open.remove(target, batch);
        full = batch;
      }
    }
    if (full != null) {
      send(full);
    }
    return answer;
  }

  private void flush(Batch batch) {
    synchronized (this) {
      if (!open.remove(batch.target, batch)) {
        return;
      }
    }
    send(batch);
  }

  private void send(Batch batch) {
    List<I> items = new ArrayList<>(batch.waiting.keySet());
    CompletableFuture<Map<I, R>> call;
    try {
      call = batchCall.apply(batch.target, items);
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    call.whenComplete(
        (answers, error) ->
            batch.waiting.forEach(
                (item, futures) -> {
                  for (CompletableFuture<R> f : futures) {
                    if (error != null) {
                      f.completeExceptionally(error);
                    } else {
                      f.complete(answers.getOrDefault(item, absent));
                    }
                  }
                }));
  }

  /** Items waiting for the next call to one account+region. Guarded by the coalescer's monitor. */
  private final class Batch {
    final Ec2Target target;
    final Map<I, List<CompletableFuture<R>>> waiting = new LinkedHashMap<>();

    Batch(Ec2Target target) {
      this.target = target;
    }
  }

  /** Groups {@code values} by {@code key}: a helper for batch calls. */
  static <I, V> Map<I, List<V>> group(List<V> values, Function<V, I> key) {
    Map<I, List<V>> out = new HashMap<>();
    for (V v : values) {
      I k = key.apply(v);
      if (k != null) {
        out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
      }
    }
    return out;
  }
}
