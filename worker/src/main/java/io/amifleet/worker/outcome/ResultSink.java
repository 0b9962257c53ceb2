package io.amifleet.worker.outcome;

import io.amifleet.common.message.ResultMessage;
import java.util.concurrent.CompletableFuture;

/** Where results go (the results queue); the future completes once the result is accepted. */
public interface ResultSink {
  /** Looks up the results queue before work starts (blocking; not from a callback). */
  void prepare();

  CompletableFuture<Void> publish(ResultMessage result);
}
