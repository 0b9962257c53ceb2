package io.amifleet.worker.poll;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A message received from the jobs queue and held by this worker until its outcome is routed.
 *
 * @param receiveCount SQS's ApproximateReceiveCount: 1 on the first delivery
 */
public record ReceivedJob(
    String messageId, String receiptHandle, String body, int receiveCount, Instant receivedAt) {
  public ReceivedJob {
    requireNonNull(messageId, "messageId is null");
    requireNonNull(receiptHandle, "receiptHandle is null");
    requireNonNull(body, "body is null");
    requireNonNull(receivedAt, "receivedAt is null");
  }
}
