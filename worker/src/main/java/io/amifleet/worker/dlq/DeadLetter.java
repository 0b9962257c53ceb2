package io.amifleet.worker.dlq;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.WorkItem;
import io.amifleet.common.secret.Secrets;
import io.amifleet.worker.outcome.DeadLetterAttributes;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A message in the dead-letter queue: its body, why it is there (amifleet's attributes; messages
 * SQS moved after maxReceiveCount have none), and the work item (an image job or a retention job)
 * when the body can be read as one.
 *
 * <p>{@link #body()} is the message as it is, for replays; what is shown to people ({@link
 * #shownBody()}, {@link #errorMessage()}) has the ExternalIds the message holds masked, whether the
 * body is a job or something that could not be read as one.
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

  /** Why the message is here, with its ExternalIds masked (a parser's reason may quote one). */
  public String errorMessage() {
    return Secrets.redact(
        attributes.getOrDefault(DeadLetterAttributes.ERROR_MESSAGE, ""), secrets());
  }

  /** The body with its ExternalIds masked: what may be shown. */
  public String shownBody() {
    return Secrets.redact(body, secrets());
  }

  private Set<String> secrets() {
    Set<String> secrets = new HashSet<>(Secrets.externalIdsIn(body));
    work.map(WorkItem::externalId).ifPresent(secrets::add);
    return secrets;
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
