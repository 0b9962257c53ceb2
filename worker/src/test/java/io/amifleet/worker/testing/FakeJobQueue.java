package io.amifleet.worker.testing;

import io.amifleet.worker.poll.JobQueue;
import io.amifleet.worker.poll.ReceivedJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A jobs queue that records what the worker does to its messages (delete, visibility change, DLQ
 * move) and can be told to refuse any of them. Receives nothing. Thread-safe.
 */
public final class FakeJobQueue implements JobQueue {
  public static final String DELETE = "delete";
  public static final String CHANGE_VISIBILITY = "changeVisibility";
  public static final String MOVE_TO_DEAD_LETTER = "moveToDeadLetter";

  /**
   * One call. {@code visibility} is set for visibility changes, {@code attributes} for DLQ moves.
   */
  public record Call(
      String operation, ReceivedJob job, Duration visibility, Map<String, String> attributes) {}

  private final Journal journal;
  private final List<Call> calls = new ArrayList<>();
  private final Map<String, Throwable> failures = new HashMap<>();
  private volatile int maxReceiveCount = 5;

  public FakeJobQueue(Journal journal) {
    this.journal = journal;
  }

  public void setMaxReceiveCount(int maxReceiveCount) {
    this.maxReceiveCount = maxReceiveCount;
  }

  /** Makes every later call of {@code operation} (e.g. {@link #DELETE}) fail with {@code error}. */
  public synchronized void fail(String operation, Throwable error) {
    failures.put(operation, error);
  }

  public synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  public synchronized List<Call> calls(String operation) {
    return calls.stream().filter(c -> c.operation().equals(operation)).toList();
  }

  @Override
  public void prepare() {}

  @Override
  public CompletableFuture<List<ReceivedJob>> receive(int max, Duration wait, Duration visibility) {
    return CompletableFuture.completedFuture(List.of());
  }

  @Override
  public CompletableFuture<Void> delete(ReceivedJob job) {
    return record(new Call(DELETE, job, null, null));
  }

  @Override
  public CompletableFuture<Void> changeVisibility(ReceivedJob job, Duration visibility) {
    return record(new Call(CHANGE_VISIBILITY, job, visibility, null));
  }

  @Override
  public CompletableFuture<Void> moveToDeadLetter(ReceivedJob job, Map<String, String> attributes) {
    return record(new Call(MOVE_TO_DEAD_LETTER, job, null, Map.copyOf(attributes)));
  }

  @Override
  public int maxReceiveCount() {
    return maxReceiveCount;
  }

  /** Records the call; a refused call is journaled as "{@code operation} failed". */
  private CompletableFuture<Void> record(Call call) {
    Throwable failure;
    synchronized (this) {
      calls.add(call);
      failure = failures.get(call.operation());
    }
    if (failure != null) {
      journal.add(call.operation() + " failed");
      return CompletableFuture.failedFuture(failure);
    }
    journal.add(call.operation());
    return CompletableFuture.completedFuture(null);
  }
}
