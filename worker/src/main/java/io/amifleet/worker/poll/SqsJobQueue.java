package io.amifleet.worker.poll;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.queue.OutgoingMessage;
import io.amifleet.common.queue.QueueSender;
import io.amifleet.common.queue.Queues;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.batchmanager.SqsAsyncBatchManager;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The jobs queue over SQS with the hub's credentials. Receives directly (long polling); deletes and
 * visibility changes go through the SDK's batch manager, so concurrent jobs share
 * DeleteMessageBatch and ChangeMessageVisibilityBatch calls. Thread-safe.
 */
public final class SqsJobQueue implements JobQueue {
  private final SqsAsyncClient sqs;
  private final SqsAsyncBatchManager batches;
  private final QueueSender sender;
  private final Queues queues;
  private final ObjectMapper mapper;
  private final Clock clock;
  private volatile Integer maxReceiveCount;

  @Inject
  public SqsJobQueue(
      SqsAsyncClient sqs,
      SqsAsyncBatchManager batches,
      QueueSender sender,
      Queues queues,
      ObjectMapper mapper,
      Clock clock) {
    this.sqs = requireNonNull(sqs, "sqs is null");
    this.batches = requireNonNull(batches, "batches is null");
    this.sender = requireNonNull(sender, "sender is null");
    this.queues = requireNonNull(queues, "queues is null");
    this.mapper = requireNonNull(mapper, "mapper is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public void prepare() {
    queues.jobsUrl();
    queues.dlqUrl();
    maxReceiveCount();
  }

  @Override
  public CompletableFuture<List<ReceivedJob>> receive(int max, Duration wait, Duration visibility) {
    return sqs.receiveMessage(
            b ->
                b.queueUrl(queues.jobsUrl())
                    .maxNumberOfMessages(max)
                    .waitTimeSeconds((int) wait.toSeconds())
                    .visibilityTimeout((int) visibility.toSeconds())
                    .messageSystemAttributeNames(
                        MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
        .thenApply(
            r -> {
              Instant now = clock.instant();
              List<ReceivedJob> jobs = new ArrayList<>(r.messages().size());
              for (Message m : r.messages()) {
                String count =
                    m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
                jobs.add(
                    new ReceivedJob(
                        m.messageId(),
                        m.receiptHandle(),
                        m.body() == null ? "" : m.body(),
                        count == null ? 1 : Integer.parseInt(count),
                        now));
              }
              return jobs;
            });
  }

  @Override
  public CompletableFuture<Void> delete(ReceivedJob job) {
    return batches
        .deleteMessage(b -> b.queueUrl(queues.jobsUrl()).receiptHandle(job.receiptHandle()))
        .thenApply(r -> null);
  }

  @Override
  public CompletableFuture<Void> changeVisibility(ReceivedJob job, Duration visibility) {
    return batches
        .changeMessageVisibility(
            b ->
                b.queueUrl(queues.jobsUrl())
                    .receiptHandle(job.receiptHandle())
                    .visibilityTimeout((int) visibility.toSeconds()))
        .thenApply(r -> null);
  }

  @Override
  public CompletableFuture<Void> moveToDeadLetter(ReceivedJob job, Map<String, String> attributes) {
    return sender
        .send(queues.dlqUrl(), new OutgoingMessage(job.body(), attributes))
        .thenCompose(id -> delete(job));
  }

  @Override
  public int maxReceiveCount() {
    Integer cached = maxReceiveCount;
    if (cached == null) {
      cached = readMaxReceiveCount();
      maxReceiveCount = cached;
    }
    return cached;
  }

  private int readMaxReceiveCount() {
    String policy;
    try {
      policy =
          sqs.getQueueAttributes(
                  b ->
                      b.queueUrl(queues.jobsUrl())
                          .attributeNames(QueueAttributeName.REDRIVE_POLICY))
              .join()
              .attributes()
              .get(QueueAttributeName.REDRIVE_POLICY);
    } catch (CompletionException e) {
      throw AwsErrors.translate(e, "GetQueueAttributes " + queues.jobsUrl());
    }
    if (policy == null || policy.isBlank()) {
      return Integer.MAX_VALUE;
    }
    try {
      JsonNode node = mapper.readTree(policy);
      return node.path("maxReceiveCount").asInt(Integer.MAX_VALUE);
    } catch (IOException e) {
      return Integer.MAX_VALUE;
    }
  }
}
