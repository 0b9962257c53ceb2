package io.amifleet.worker.dlq;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.message.JobMessage;
import io.amifleet.worker.outcome.DeadLetterAttributes;
import java.util.Map;
import java.util.Optional;

/**
 * A message in the dead-letter queue: its body, why it is there (amifleet's attributes; messages
 * SQS moved after maxReceiveCount have none), and the job when the body is one.
 */
public record DeadLetter(
    String messageId,
    String receiptHandle,
    String body,
    Map<String, String> attributes,
    Optional<JobMessage> job) {

  /** Error code of a message that SQS itself moved here after too many receives. */
  public static final String REDRIVEN = "(redriven by SQS)";

  public DeadLetter {
    requireNonNull(messageId, "messageId is null");
    requireNonNull(receiptHandle, "receiptHandle is null");
    requireNonNull(body, "body is null");
    attributes = Map.copyOf(attributes);
    requireNonNull(job, "job is null");
  }

  public String errorCode() {
    return attributes.getOrDefault(DeadLetterAttributes.ERROR_CODE, REDRIVEN);
  }

  public String errorMessage() {
    return attributes.getOrDefault(DeadLetterAttributes.ERROR_MESSAGE, "");
  }

  public Optional<String> accountId() {
    String a = attributes.get(DeadLetterAttributes.ACCOUNT_ID);
    return a != null ? Optional.of(a) : job.map(JobMessage::accountId);
  }

  public Optional<String> failedAt() {
    return Optional.ofNullable(attributes.get(DeadLetterAttributes.FAILED_AT));
  }

  public Optional<String> receiveCount() {
    return Optional.ofNullable(attributes.get(DeadLetterAttributes.RECEIVE_COUNT));
  }
}
