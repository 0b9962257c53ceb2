package io.amifleet.worker.poll;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The jobs queue as the worker sees it; implemented over SQS by {@link SqsJobQueue}. */
public interface JobQueue {
  /**
   * Looks up what the queue needs (URLs, redrive policy) before work starts; fails with a
   * configuration error when a queue does not exist. Blocking: call it from the starting thread,
   * never from a completion callback.
   */
  void prepare();

  /** Long-polls for up to {@code max} messages (1-10), made invisible for {@code visibility}. */
  CompletableFuture<List<ReceivedJob>> receive(int max, Duration wait, Duration visibility);

  /** Deletes a finished job. */
  CompletableFuture<Void> delete(ReceivedJob job);

  /** Sets how long until the job reappears (0: at once). */
  CompletableFuture<Void> changeVisibility(ReceivedJob job, Duration visibility);

  /**
   * Sends the job's body to the dead-letter queue with {@code attributes}, then deletes it from the
   * jobs queue; the delete happens only after the DLQ accepted the copy.
   */
  CompletableFuture<Void> moveToDeadLetter(ReceivedJob job, Map<String, String> attributes);

  /**
   * The jobs queue's redrive maxReceiveCount; {@link Integer#MAX_VALUE} without a redrive policy.
   */
  int maxReceiveCount();
}
