package io.amifleet.worker.poll;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a worker's messages come from and what is done with each: the jobs queue ({@link
 * JobSource}) today; an SQS queue of EventBridge "EC2 AMI State Change" events, which would tell
 * {@link io.amifleet.worker.image.ImageEvents} that waited-on images changed, can be another (one
 * class and one binding in {@code WorkerModule}).
 *
 * <p>The {@link io.amifleet.worker.lifecycle.Worker} runs its consumers' pollers on every source,
 * each source with its own permits ({@link #capacity()} per consumer, taken before each receive and
 * given back as each message is dealt with), and stops them all in order. Implementations are
 * thread-safe.
 */
public interface MessageSource {
  /** For logs and thread names: "jobs". */
  String name();

  /** Messages one consumer of this source holds at once. */
  int capacity();

  /**
   * Looks up what the source needs (queue URLs, ...) before the first receive; fails with a
   * configuration error when something does not exist. Blocking: called from the starting thread.
   */
  void prepare();

  /** What the worker's start-up line says of this source, e.g. "jobs: maxReceiveCount 5". */
  String describe();

  /** Long-polls for up to {@code max} messages (1-10). */
  CompletableFuture<List<Delivery>> receive(int max, Duration wait);

  /**
   * Ends the work of every message held now, and of any received later, at once: the worker is
   * stopping and its shutdown timeout has passed, so they go back for another worker.
   */
  void releaseHeld();

  /** A received message. */
  interface Delivery {
    /** Deals with the message; completes, never exceptionally, once it has been dealt with. */
    CompletableFuture<Void> handle();

    /** Gives the message back untouched (received while the worker was stopping). */
    CompletableFuture<Void> release();

    /** The message ID, for logs. */
    String id();
  }
}
