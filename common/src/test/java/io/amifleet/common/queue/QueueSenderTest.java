package io.amifleet.common.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.sqs.batchmanager.SqsAsyncBatchManager;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;

class QueueSenderTest {
  /** Answers each SendMessage with the next of {@code answers}, then with success. */
  private static final class ScriptedBatches implements SqsAsyncBatchManager {
    final Deque<Throwable> answers = new ArrayDeque<>();
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public CompletableFuture<SendMessageResponse> sendMessage(SendMessageRequest request) {
      calls.incrementAndGet();
      Throwable next = answers.poll();
      return next == null
          ? CompletableFuture.completedFuture(SendMessageResponse.builder().messageId("m").build())
          : CompletableFuture.failedFuture(next);
    }

    @Override
    public void close() {}
  }

  /** What the batch manager makes of an entry in a SendMessageBatch answer's Failed list. */
  private static SqsException refusedEntry(String code) {
    return (SqsException)
        SqsException.builder()
            .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("x").build())
            .build();
  }

  /** A SendMessageBatch call that failed as a whole, after the SDK's own retries. */
  private static SqsException failedCall(String code, int status) {
    return (SqsException)
        SqsException.builder()
            .statusCode(status)
            .awsErrorDetails(
                AwsErrorDetails.builder()
                    .errorCode(code)
                    .errorMessage("x")
                    .sdkHttpResponse(SdkHttpResponse.builder().statusCode(status).build())
                    .build())
            .build();
  }

  private final ScriptedBatches batches = new ScriptedBatches();
  private final QueueSender sender = new QueueSender(batches);

  @Test
  void aRetryableEntryRefusedInsideABatchIsSentAgain() {
    batches.answers.add(refusedEntry("InternalError"));
    batches.answers.add(refusedEntry("InternalError"));

    QueueSender.Report report = sender.sendAll("url", List.of(OutgoingMessage.of("body")));

    assertThat(report.failures()).isEmpty();
    assertThat(batches.calls).hasValue(3);
  }

  @Test
  void aBatchCallThatFailedIsNotRetriedOnTopOfTheSdksRetries() {
    batches.answers.add(failedCall("ServiceUnavailable", 503));

    QueueSender.Report report = sender.sendAll("url", List.of(OutgoingMessage.of("body")));

    assertThat(report.failures())
        .singleElement()
        .satisfies(f -> assertThat(f.errorCode()).isEqualTo("ServiceUnavailable"));
    assertThat(batches.calls).hasValue(1);
  }

  @Test
  void anEntryRefusedForGoodIsReportedAtOnce() {
    batches.answers.add(refusedEntry("InvalidMessageContents"));

    QueueSender.Report report = sender.sendAll("url", List.of(OutgoingMessage.of("body")));

    assertThat(report.failures()).hasSize(1);
    assertThat(batches.calls).hasValue(1);
  }
}
