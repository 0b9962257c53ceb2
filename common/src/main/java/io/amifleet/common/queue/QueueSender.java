package io.amifleet.common.queue;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.AwsErrors;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sqs.batchmanager.SqsAsyncBatchManager;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Sends messages through the SDK's {@link SqsAsyncBatchManager}, which packs them into
 * SendMessageBatch calls of ten. A batch call that fails has been retried by the SDK already (its
 * standard retry strategy) and is not retried again here. What the SDK does not retry is one entry
 * refused inside a batch that went through (SendMessageBatch answers 200 with the entry in its
 * {@code Failed} list,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html):
 * such an entry is sent again, with a growing pause, while its error is retryable. What still fails
 * is reported per message, never dropped silently. Thread-safe.
 */
public final class QueueSender {
  static final int MAX_ATTEMPTS = 5;
  private static final Duration FIRST_PAUSE = Duration.ofMillis(200);

  private final SqsAsyncBatchManager batches;

  /** One message that could not be sent. */
  public record Failure(int index, String errorCode, String message) {}

  /** What became of a {@link #sendAll} call. {@code messageIds} is indexed like the input. */
  public record Report(List<String> messageIds, List<Failure> failures) {
    public int sent() {
      return (int) messageIds.stream().filter(Objects::nonNull).count();
    }
  }

  @Inject
  public QueueSender(SqsAsyncBatchManager batches) {
    this.batches = requireNonNull(batches, "batches is null");
  }

  /** Sends one message; the future fails with a translated exception after the retries. */
  public CompletableFuture<String> send(String queueUrl, OutgoingMessage message) {
    return attempt(queueUrl, message, 1);
  }

  /** Sends all messages and waits until each was accepted or failed for good. */
  public Report sendAll(String queueUrl, List<OutgoingMessage> messages) {
    List<CompletableFuture<String>> futures = new ArrayList<>(messages.size());
    for (OutgoingMessage m : messages) {
      futures.add(send(queueUrl, m));
    }
    List<String> ids = new ArrayList<>(messages.size());
    List<Failure> failures = new ArrayList<>();
    for (int i = 0; i < futures.size(); i++) {
      try {
        ids.add(futures.get(i).join());
      } catch (RuntimeException e) {
        AmiFleetException t = AwsErrors.translate(e, "SendMessage");
        ids.add(null);
        failures.add(new Failure(i, t.errorCode(), t.getMessage()));
      }
    }
    return new Report(ids, failures);
  }

  private CompletableFuture<String> attempt(String queueUrl, OutgoingMessage message, int attempt) {
    return batches
        .sendMessage(request(queueUrl, message))
        .thenApply(r -> r.messageId())
        .handle(
            (id, error) -> {
              if (error == null) {
                return CompletableFuture.completedFuture(id);
              }
              AmiFleetException t = AwsErrors.translate(error, "SendMessage to " + queueUrl);
              if (!t.retryable() || !refusedEntry(error) || attempt >= MAX_ATTEMPTS) {
                return CompletableFuture.<String>failedFuture(t);
              }
              long pause = FIRST_PAUSE.toMillis() << (attempt - 1);
              return CompletableFuture.supplyAsync(
                      () -> null, CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS))
                  .thenCompose(x -> attempt(queueUrl, message, attempt + 1));
            })
        .thenCompose(f -> f);
  }

  /**
   * Whether {@code error} is one entry refused in a batch call that went through: the batch manager
   * makes it from the entry's error code, without an HTTP response of its own. A failed call has
   * one, and the SDK retried it.
   */
  static boolean refusedEntry(Throwable error) {
    return AwsErrors.unwrap(error) instanceof AwsServiceException e
        && e.awsErrorDetails() != null
        && e.awsErrorDetails().sdkHttpResponse() == null;
  }

  private static SendMessageRequest request(String queueUrl, OutgoingMessage message) {
    Map<String, MessageAttributeValue> attributes = new HashMap<>();
    message
        .attributes()
        .forEach(
            (k, v) ->
                attributes.put(
                    k, MessageAttributeValue.builder().dataType("String").stringValue(v).build()));
    return SendMessageRequest.builder()
        .queueUrl(queueUrl)
        .messageBody(message.body())
        .messageAttributes(attributes)
        .build();
  }
}
