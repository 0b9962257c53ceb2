package io.amifleet.worker.dlq;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.message.JobMessage;
import io.amifleet.common.secret.Secrets;
import io.amifleet.worker.outcome.DeadLetterAttributes;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A message in the dead-letter queue: its body, why it is there (amifleet's attributes; messages
 * SQS moved after maxReceiveCount have none), and the job when the body is one.
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
    job.map(JobMessage::externalId).ifPresent(secrets::add);
    return secrets;
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
