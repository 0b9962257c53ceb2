package io.amifleet.worker.dlq;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.WorkItem;
import io.amifleet.worker.outcome.DeadLetterAttributes;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A message in the dead-letter queue: its body, why it is there (amifleet's attributes; messages
 * SQS moved after maxReceiveCount have none), and the work item (an image job or a retention job)
 * when the body can be read as one.
 */
public record DeadLetter(
    String messageId,
    String receiptHandle,
    String body,
    Map<String, String> attributes,
    Optional<WorkItem> work) {

  /** Error code of a message that SQS itself moved here after too many receives. */
  public static final String REDRIVEN = "(redriven by SQS)";

  public DeadLetter {
    requireNonNull(messageId, "messageId is null");
    requireNonNull(receiptHandle, "receiptHandle is null");
    requireNonNull(body, "body is null");
    attributes = Map.copyOf(attributes);
    requireNonNull(work, "work is null");
  }

  /** The image job, when the body is one. */
  public Optional<JobMessage> job() {
    return work.filter(JobMessage.class::isInstance).map(JobMessage.class::cast);
  }

  /** Whether the body can be read as a job at all; an unreadable one would only fail again. */
  public boolean readable() {
    return work.isPresent();
  }

  public String errorCode() {
    return attributes.getOrDefault(DeadLetterAttributes.ERROR_CODE, REDRIVEN);
  }

  public String errorMessage() {
    return attributes.getOrDefault(DeadLetterAttributes.ERROR_MESSAGE, "");
  }

  public Optional<String> accountId() {
    String a = attributes.get(DeadLetterAttributes.ACCOUNT_ID);
    return a != null ? Optional.of(a) : work.map(WorkItem::accountId);
  }

  public Optional<String> failedAt() {
    return Optional.ofNullable(attributes.get(DeadLetterAttributes.FAILED_AT));
  }

  /** The receive count the worker recorded, as a number (empty when absent or not a number). */
  public OptionalInt receiveCount() {
    String count = attributes.get(DeadLetterAttributes.RECEIVE_COUNT);
    if (count == null) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(Integer.parseInt(count.strip()));
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }
}
