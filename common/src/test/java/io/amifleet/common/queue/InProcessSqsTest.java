package io.amifleet.common.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.amifleet.common.error.AwsErrors;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.batchmanager.SqsAsyncBatchManager;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * The in-process queue keeps the SQS semantics the worker depends on: visibility, receive counts,
 * redrive to the dead-letter queue, long polling, per-entry batch answers; and the queues are made
 * by the same {@link QueueAdmin} and filled by the same {@link QueueSender} as real SQS.
 */
class InProcessSqsTest {
  private InProcessSqs sqs;
  private SqsAsyncBatchManager batches;
  private QueueAdmin.QueueUrls urls;

  @BeforeEach
  void setUp() {
    sqs = new InProcessSqs();
    batches =
        SqsAsyncBatchManager.builder()
            .client(sqs)
            .scheduledExecutor(java.util.concurrent.Executors.newSingleThreadScheduledExecutor())
            .overrideConfiguration(
                b -> b.maxBatchSize(10).sendRequestFrequency(Duration.ofMillis(20)))
            .build();
    urls = new QueueAdmin(sqs, new ObjectMapper()).create("t", 2);
  }

  @AfterEach
  void tearDown() {
    batches.close();
    sqs.close();
  }

  @Test
  void queuesAreMadeByQueueAdminWithTheRedrivePolicy() {
    Map<QueueAttributeName, String> jobs =
        sqs.getQueueAttributes(b -> b.queueUrl(urls.jobs())).join().attributes();
    assertThat(jobs.get(QueueAttributeName.REDRIVE_POLICY))
        .contains("\"maxReceiveCount\":2")
        .contains("t-dlq");
    assertThat(sqs.getQueueUrl(b -> b.queueName("t-results")).join().queueUrl())
        .isEqualTo(urls.results());
    // A second ensure finds the queues as they are.
    QueueAdmin.Report again = new QueueAdmin(sqs, new ObjectMapper()).ensure("t", 2);
    assertThat(again.queues()).allMatch(c -> c.action() == QueueAdmin.Action.UNCHANGED);
  }

  @Test
  void anUnknownQueueIsQueueDoesNotExist() {
    assertThatThrownBy(() -> sqs.getQueueUrl(b -> b.queueName("nope")).join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(QueueDoesNotExistException.class);
    assertThatThrownBy(
            () -> sqs.sendMessage(b -> b.queueUrl("http://elsewhere/nope").messageBody("x")).join())
        .hasCauseInstanceOf(QueueDoesNotExistException.class);
  }

  @Test
  void sentThroughTheBatchManagerAndReceivedWithAttributes() {
    QueueSender sender = new QueueSender(batches);
    QueueSender.Report report =
        sender.sendAll(
            urls.jobs(),
            List.of(
                new OutgoingMessage("a", Map.of("k", "v")),
                OutgoingMessage.of("b"),
                OutgoingMessage.of("c")));
    assertThat(report.failures()).isEmpty();
    assertThat(report.sent()).isEqualTo(3);

    List<Message> got = receive(urls.jobs(), 10, 0, 30);
    assertThat(got).extracting(Message::body).containsExactly("a", "b", "c");
    assertThat(got.get(0).messageAttributes().get("k").stringValue()).isEqualTo("v");
    assertThat(got.get(0).attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
        .isEqualTo("1");
    assertThat(got).extracting(Message::messageId).containsExactlyElementsOf(report.messageIds());
    // In flight: not received again until the visibility timeout runs out.
    assertThat(receive(urls.jobs(), 10, 0, 30)).isEmpty();
  }

  @Test
  void aMessageComesBackWhenItsVisibilityRunsOutAndItsReceiveCountGrows() {
    send(urls.jobs(), "job");
    Message first = receive(urls.jobs(), 1, 0, 1).get(0);
    assertThat(receive(urls.jobs(), 1, 0, 1)).isEmpty();
    Message second = receive(urls.jobs(), 1, 5, 30).get(0); // long poll: back after ~1 s
    assertThat(second.messageId()).isEqualTo(first.messageId());
    assertThat(second.receiptHandle()).isNotEqualTo(first.receiptHandle());
    assertThat(second.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
        .isEqualTo("2");
    // The first receipt handle is stale now.
    assertThatThrownBy(
            () ->
                sqs.deleteMessage(b -> b.queueUrl(urls.jobs()).receiptHandle(first.receiptHandle()))
                    .join())
        .satisfies(e -> assertThat(AwsErrors.errorCodeOf(e)).isEqualTo("ReceiptHandleIsInvalid"));
  }

  @Test
  void visibilityZeroReleasesAtOnceAndALongerOneKeepsItHidden() {
    send(urls.jobs(), "job");
    Message m = receive(urls.jobs(), 1, 0, 1).get(0);
    sqs.changeMessageVisibility(
            b -> b.queueUrl(urls.jobs()).receiptHandle(m.receiptHandle()).visibilityTimeout(60))
        .join();
    sleep(1500);
    assertThat(receive(urls.jobs(), 1, 0, 30)).isEmpty(); // extended past its first second

    sqs.changeMessageVisibility(
            b -> b.queueUrl(urls.jobs()).receiptHandle(m.receiptHandle()).visibilityTimeout(0))
        .join();
    assertThat(receive(urls.jobs(), 1, 2, 30)).extracting(Message::body).containsExactly("job");
  }

  @Test
  void aMessageReceivedMoreThanMaxReceiveCountMovesToTheDeadLetterQueue() {
    send(urls.jobs(), "poison");
    for (int i = 1; i <= 2; i++) {
      Message m = receive(urls.jobs(), 1, 0, 30).get(0);
      sqs.changeMessageVisibility(
              b -> b.queueUrl(urls.jobs()).receiptHandle(m.receiptHandle()).visibilityTimeout(0))
          .join();
    }
    // The third receive finds it over the limit: it goes to the DLQ, not to the caller.
    assertThat(receive(urls.jobs(), 1, 1, 30)).isEmpty();
    List<Message> dead = receive(urls.dlq(), 1, 2, 30);
    assertThat(dead).extracting(Message::body).containsExactly("poison");
    Map<QueueAttributeName, String> jobs =
        sqs.getQueueAttributes(b -> b.queueUrl(urls.jobs())).join().attributes();
    assertThat(jobs.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).isEqualTo("0");
    assertThat(jobs.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
        .isEqualTo("0");
  }

  @Test
  void aLongPollAnswersAsSoonAsAMessageArrives() throws Exception {
    CompletableFuture<ReceiveMessageResponse> poll =
        sqs.receiveMessage(b -> b.queueUrl(urls.results()).waitTimeSeconds(20));
    Thread.sleep(100);
    assertThat(poll).isNotDone();
    long t0 = System.nanoTime();
    send(urls.results(), "result");
    assertThat(poll.get(2, TimeUnit.SECONDS).messages())
        .extracting(Message::body)
        .containsExactly("result");
    assertThat(System.nanoTime() - t0).isLessThan(Duration.ofSeconds(1).toNanos());
  }

  @Test
  void anEmptyLongPollEndsAfterItsWaitOrWhenTheQueueCloses() throws Exception {
    long t0 = System.nanoTime();
    assertThat(receive(urls.results(), 10, 1, 30)).isEmpty();
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMillis(900).toNanos());

    CompletableFuture<ReceiveMessageResponse> poll =
        sqs.receiveMessage(b -> b.queueUrl(urls.results()).waitTimeSeconds(20));
    sqs.close();
    assertThat(poll.get(2, TimeUnit.SECONDS).messages()).isEmpty();
  }

  @Test
  void batchDeleteAnswersPerEntry() {
    send(urls.jobs(), "a");
    Message m = receive(urls.jobs(), 1, 0, 30).get(0);
    var r =
        sqs.deleteMessageBatch(
                b ->
                    b.queueUrl(urls.jobs())
                        .entries(
                            DeleteMessageBatchRequestEntry.builder()
                                .id("1")
                                .receiptHandle(m.receiptHandle())
                                .build(),
                            DeleteMessageBatchRequestEntry.builder()
                                .id("2")
                                .receiptHandle("not-a-handle")
                                .build()))
            .join();
    assertThat(r.successful()).extracting(e -> e.id()).containsExactly("1");
    assertThat(r.failed())
        .extracting(e -> e.id() + " " + e.code())
        .containsExactly("2 ReceiptHandleIsInvalid");
    sleep(1200);
    assertThat(receive(urls.jobs(), 1, 0, 30)).isEmpty(); // deleted: never back
  }

  private void send(String url, String body) {
    sqs.sendMessage(b -> b.queueUrl(url).messageBody(body)).join();
  }

  private List<Message> receive(String url, int max, int waitSeconds, int visibility) {
    return sqs.receiveMessage(
            b ->
                b.queueUrl(url)
                    .maxNumberOfMessages(max)
                    .waitTimeSeconds(waitSeconds)
                    .visibilityTimeout(visibility)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL))
        .join()
        .messages();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
