package io.amifleet.worker.testing;

import io.amifleet.common.message.ResultMessage;
import io.amifleet.worker.outcome.ResultSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A results queue that keeps what it accepted and can be told to refuse everything. Journals
 * "publish" (or "publish failed"). Thread-safe.
 */
public final class FakeResultSink implements ResultSink {
  private final Journal journal;
  private final List<ResultMessage> published = new ArrayList<>();
  private Throwable failure;

  public FakeResultSink(Journal journal) {
    this.journal = journal;
  }

  /** Makes every later publish fail with {@code error}. */
  public synchronized void fail(Throwable error) {
    failure = error;
  }

  /** The results accepted so far. */
  public synchronized List<ResultMessage> published() {
    return List.copyOf(published);
  }

  @Override
  public void prepare() {}

  @Override
  public CompletableFuture<Void> publish(ResultMessage result) {
    Throwable refused;
    synchronized (this) {
      refused = failure;
      if (refused == null) {
        published.add(result);
      }
    }
    if (refused != null) {
      journal.add("publish failed");
      return CompletableFuture.failedFuture(refused);
    }
    journal.add("publish");
    return CompletableFuture.completedFuture(null);
  }
}
