package io.amifleet.common.queue;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.amifleet.common.aws.Threads;
import io.amifleet.common.json.Json;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResultEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityResponse;
import software.amazon.awssdk.services.sqs.model.CreateQueueRequest;
import software.amazon.awssdk.services.sqs.model.CreateQueueResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResultEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageResponse;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageResponse;
import software.amazon.awssdk.services.sqs.model.SetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.SetQueueAttributesResponse;

/**
 * SQS in this process's memory: the queue of {@code amifleet run} (single-machine mode), behind the
 * same {@link SqsAsyncClient} interface the fleet's code uses on real SQS, so that the dispatcher,
 * the worker's {@code SqsJobQueue}, the result sink and {@link QueueAdmin} run unchanged. It keeps
 * the semantics that code depends on, as SQS documents them: a received message is invisible for
 * the visibility timeout and comes back when it runs out (or when it is set to 0); each receive
 * counts ({@code ApproximateReceiveCount}); a message received more often than the redrive policy's
 * {@code maxReceiveCount} moves to the dead-letter queue instead of being delivered; long polling
 * answers as soon as a message is there or when the wait ends; batch calls answer per entry, an
 * unknown receipt handle in the {@code Failed} list. Messages are lost with the process, as they
 * were with the embedded ElasticMQ it replaces in {@code run}: a rerun with the same run ID
 * re-dispatches and adopts the images already made.
 *
 * <p>It answers without HTTP, signing or marshalling: the cost of a queue operation is a lock and a
 * few objects. Only the operations amifleet uses are implemented; any other throws {@link
 * UnsupportedOperationException} (the interface's default). Thread-safe; {@link #close()} ends
 * pending long polls with no messages.
 */
public final class InProcessSqs implements SqsAsyncClient {
  private static final String ACCOUNT = "000000000000";
  private static final String REGION = "in-process";
  private static final String URL_PREFIX = "http://sqs.in-process.amifleet/" + ACCOUNT + "/";

  private final Map<String, Queue> byName = new ConcurrentHashMap<>();
  private final ObjectMapper mapper = Json.newMapper();
  private final ScheduledExecutorService timer;
  private final ExecutorService answers;

  public InProcessSqs() {
    ScheduledThreadPoolExecutor t =
        new ScheduledThreadPoolExecutor(1, Threads.named("amifleet-in-process-sqs"));
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
    // Answers complete here, as the SDK's complete on its future-completion executor: the
    // caller's callbacks never run under a queue's lock, on the timer, or in the caller's frame.
    this.answers = Executors.newFixedThreadPool(2, Threads.named("amifleet-in-process-sqs-answer"));
  }

  @Override
  public String serviceName() {
    return SERVICE_NAME;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    byName.values().forEach(Queue::endPolls);
    answers.shutdown();
  }

  // ---- queues

  @Override
  public CompletableFuture<CreateQueueResponse> createQueue(CreateQueueRequest request) {
    return answer(
        () -> {
          String name = requireNonNull(request.queueName(), "queueName");
          Queue q = byName.computeIfAbsent(name, Queue::new);
          q.setAttributes(request.attributes());
          return CreateQueueResponse.builder().queueUrl(q.url).build();
        });
  }

  @Override
  public CompletableFuture<GetQueueUrlResponse> getQueueUrl(GetQueueUrlRequest request) {
    return answer(
        () -> {
          Queue q = byName.get(request.queueName());
          if (q == null) {
            throw noSuchQueue(request.queueName());
          }
          return GetQueueUrlResponse.builder().queueUrl(q.url).build();
        });
  }

  @Override
  public CompletableFuture<GetQueueAttributesResponse> getQueueAttributes(
      GetQueueAttributesRequest request) {
    return answer(
        () -> {
          Map<QueueAttributeName, String> all = queue(request.queueUrl()).attributes();
          boolean everything =
              request.attributeNames().isEmpty()
                  || request.attributeNames().contains(QueueAttributeName.ALL);
          Map<QueueAttributeName, String> wanted = new EnumMap<>(QueueAttributeName.class);
          all.forEach(
              (k, v) -> {
                if (everything || request.attributeNames().contains(k)) {
                  wanted.put(k, v);
                }
              });
          return GetQueueAttributesResponse.builder().attributes(wanted).build();
        });
  }

  @Override
  public CompletableFuture<SetQueueAttributesResponse> setQueueAttributes(
      SetQueueAttributesRequest request) {
    return answer(
        () -> {
          queue(request.queueUrl()).setAttributes(request.attributes());
          return SetQueueAttributesResponse.builder().build();
        });
  }

  // ---- messages

  @Override
  public CompletableFuture<SendMessageResponse> sendMessage(SendMessageRequest request) {
    return answer(
        () -> {
          String id =
              queue(request.queueUrl())
                  .send(request.messageBody(), request.messageAttributes(), request.delaySeconds());
          return SendMessageResponse.builder().messageId(id).build();
        });
  }

  @Override
  public CompletableFuture<SendMessageBatchResponse> sendMessageBatch(
      SendMessageBatchRequest request) {
    return answer(
        () -> {
          Queue q = queue(request.queueUrl());
          List<SendMessageBatchResultEntry> ok = new ArrayList<>();
          for (SendMessageBatchRequestEntry e : request.entries()) {
            String id = q.send(e.messageBody(), e.messageAttributes(), e.delaySeconds());
            ok.add(SendMessageBatchResultEntry.builder().id(e.id()).messageId(id).build());
          }
          return SendMessageBatchResponse.builder().successful(ok).failed(List.of()).build();
        });
  }

  @Override
  public CompletableFuture<ReceiveMessageResponse> receiveMessage(ReceiveMessageRequest request) {
    int max = request.maxNumberOfMessages() == null ? 1 : request.maxNumberOfMessages();
    int wait = request.waitTimeSeconds() == null ? 0 : request.waitTimeSeconds();
    Integer visibility = request.visibilityTimeout();
    if (max < 1 || max > 10 || wait < 0 || wait > 20) {
      return answer(
          () -> {
            throw error(
                "InvalidParameterValue", "MaxNumberOfMessages 1-10, WaitTimeSeconds 0-20", 400);
          });
    }
    Queue q;
    try {
      q = queue(request.queueUrl());
    } catch (RuntimeException e) {
      return answer(
          () -> {
            throw e;
          });
    }
    return q.receive(max, wait, visibility)
        .thenApply(m -> ReceiveMessageResponse.builder().messages(m).build());
  }

  @Override
  public CompletableFuture<DeleteMessageResponse> deleteMessage(DeleteMessageRequest request) {
    return answer(
        () -> {
          Queue q = queue(request.queueUrl());
          if (!q.delete(request.receiptHandle())) {
            throw invalidHandle(request.receiptHandle());
          }
          return DeleteMessageResponse.builder().build();
        });
  }

  @Override
  public CompletableFuture<DeleteMessageBatchResponse> deleteMessageBatch(
      DeleteMessageBatchRequest request) {
    return answer(
        () -> {
          Queue q = queue(request.queueUrl());
          List<DeleteMessageBatchResultEntry> ok = new ArrayList<>();
          List<BatchResultErrorEntry> failed = new ArrayList<>();
          for (DeleteMessageBatchRequestEntry e : request.entries()) {
            if (q.delete(e.receiptHandle())) {
              ok.add(DeleteMessageBatchResultEntry.builder().id(e.id()).build());
            } else {
              failed.add(handleError(e.id()));
            }
          }
          return DeleteMessageBatchResponse.builder().successful(ok).failed(failed).build();
        });
  }

  @Override
  public CompletableFuture<ChangeMessageVisibilityResponse> changeMessageVisibility(
      ChangeMessageVisibilityRequest request) {
    return answer(
        () -> {
          Queue q = queue(request.queueUrl());
          if (!q.changeVisibility(request.receiptHandle(), request.visibilityTimeout())) {
            throw invalidHandle(request.receiptHandle());
          }
          return ChangeMessageVisibilityResponse.builder().build();
        });
  }

  @Override
  public CompletableFuture<ChangeMessageVisibilityBatchResponse> changeMessageVisibilityBatch(
      ChangeMessageVisibilityBatchRequest request) {
    return answer(
        () -> {
          Queue q = queue(request.queueUrl());
          List<ChangeMessageVisibilityBatchResultEntry> ok = new ArrayList<>();
          List<BatchResultErrorEntry> failed = new ArrayList<>();
          for (ChangeMessageVisibilityBatchRequestEntry e : request.entries()) {
            if (q.changeVisibility(e.receiptHandle(), e.visibilityTimeout())) {
              ok.add(ChangeMessageVisibilityBatchResultEntry.builder().id(e.id()).build());
            } else {
              failed.add(handleError(e.id()));
            }
          }
          return ChangeMessageVisibilityBatchResponse.builder()
              .successful(ok)
              .failed(failed)
              .build();
        });
  }

  // ---- helpers

  private Queue queue(String url) {
    if (url != null && url.startsWith(URL_PREFIX)) {
      Queue q = byName.get(url.substring(URL_PREFIX.length()));
      if (q != null) {
        return q;
      }
    }
    throw noSuchQueue(url);
  }

  private Queue queueByArn(String arn) {
    String prefix = "arn:aws:sqs:" + REGION + ":" + ACCOUNT + ":";
    return arn != null && arn.startsWith(prefix)
        ? byName.get(arn.substring(prefix.length()))
        : null;
  }

  /** Does {@code work} now, under the queues' locks; its answer completes on {@link #answers}. */
  private <T> CompletableFuture<T> answer(Supplier<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    T value;
    try {
      value = work.get();
    } catch (RuntimeException e) {
      deliver(() -> f.completeExceptionally(e));
      return f;
    }
    deliver(() -> f.complete(value));
    return f;
  }

  /** Runs {@code task} on the timer after {@code seconds}; null once closed (nothing runs then). */
  private ScheduledFuture<?> later(Runnable task, int seconds) {
    try {
      return timer.schedule(task, seconds, TimeUnit.SECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  private void deliver(Runnable completion) {
    try {
      answers.execute(completion);
    } catch (RejectedExecutionException e) {
      completion.run(); // closed: complete in the caller's frame rather than never
    }
  }

  private static QueueDoesNotExistException noSuchQueue(String ref) {
    return QueueDoesNotExistException.builder()
        .message("The specified queue does not exist: " + ref)
        .statusCode(400)
        .awsErrorDetails(
            AwsErrorDetails.builder()
                .errorCode("AWS.SimpleQueueService.NonExistentQueue")
                .errorMessage("The specified queue does not exist: " + ref)
                .serviceName(SERVICE_NAME)
                .build())
        .build();
  }

  private static AwsServiceException invalidHandle(String handle) {
    return error("ReceiptHandleIsInvalid", "receipt handle not in flight: " + handle, 400);
  }

  private static BatchResultErrorEntry handleError(String id) {
    return BatchResultErrorEntry.builder()
        .id(id)
        .code("ReceiptHandleIsInvalid")
        .message("receipt handle not in flight")
        .senderFault(true)
        .build();
  }

  private static AwsServiceException error(String code, String message, int status) {
    return AwsServiceException.builder()
        .message(message)
        .statusCode(status)
        .awsErrorDetails(
            AwsErrorDetails.builder()
                .errorCode(code)
                .errorMessage(message)
                .serviceName(SERVICE_NAME)
                .build())
        .build();
  }

  /** One message and where it is: visible, or in flight under its current receipt handle. */
  private static final class Stored {
    final String id = UUID.randomUUID().toString();
    final String body;
    final Map<String, MessageAttributeValue> attributes;
    final long sentAt = System.currentTimeMillis();
    int receiveCount;
    long firstReceivedAt;
    String receipt;
    ScheduledFuture<?> reappear;

    Stored(String body, Map<String, MessageAttributeValue> attributes) {
      this.body = body;
      this.attributes = Map.copyOf(attributes);
    }
  }

  /** A pending long poll. */
  private record Poll(int max, Integer visibility, CompletableFuture<List<Message>> answer) {}

  /** One queue; its state is guarded by its own monitor. */
  private final class Queue {
    final String name;
    final String url;
    final Map<QueueAttributeName, String> attributes = new EnumMap<>(QueueAttributeName.class);
    final ArrayDeque<Stored> visible = new ArrayDeque<>();
    final Map<String, Stored> inFlight = new HashMap<>();
    final ArrayDeque<Poll> polls = new ArrayDeque<>();
    int visibilityTimeout = 30;
    int maxReceiveCount = Integer.MAX_VALUE;
    String deadLetterArn;

    Queue(String name) {
      this.name = name;
      this.url = URL_PREFIX + name;
    }

    synchronized void setAttributes(Map<QueueAttributeName, String> given) {
      attributes.putAll(given);
      String v = given.get(QueueAttributeName.VISIBILITY_TIMEOUT);
      if (v != null) {
        visibilityTimeout = Integer.parseInt(v);
      }
      String redrive = given.get(QueueAttributeName.REDRIVE_POLICY);
      if (redrive != null) {
        if (redrive.isBlank()) {
          maxReceiveCount = Integer.MAX_VALUE;
          deadLetterArn = null;
        } else {
          try {
            JsonNode n = mapper.readTree(redrive);
            maxReceiveCount = n.path("maxReceiveCount").asInt(Integer.MAX_VALUE);
            deadLetterArn = n.path("deadLetterTargetArn").asText(null);
          } catch (IOException e) {
            throw error("InvalidAttributeValue", "RedrivePolicy is not JSON: " + redrive, 400);
          }
        }
      }
    }

    synchronized Map<QueueAttributeName, String> attributes() {
      Map<QueueAttributeName, String> all = new LinkedHashMap<>(attributes);
      all.put(QueueAttributeName.QUEUE_ARN, "arn:aws:sqs:" + REGION + ":" + ACCOUNT + ":" + name);
      all.put(QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(visibilityTimeout));
      all.put(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, Integer.toString(visible.size()));
      all.put(
          QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
          Integer.toString(inFlight.size()));
      return all;
    }

    String send(String body, Map<String, MessageAttributeValue> attributes, Integer delaySeconds) {
      if (body == null || body.isEmpty()) {
        throw error("MissingParameter", "MessageBody is required", 400);
      }
      Stored m = new Stored(body, attributes);
      if (delaySeconds != null && delaySeconds > 0) {
        later(() -> arrive(m), delaySeconds);
      } else {
        arrive(m);
      }
      return m.id;
    }

    /** A message becomes visible: to a waiting poll if there is one, else to the next receive. */
    void arrive(Stored m) {
      List<Runnable> answered = new ArrayList<>(1);
      synchronized (this) {
        visible.addLast(m);
        while (!polls.isEmpty() && !visible.isEmpty()) {
          Poll p = polls.pollFirst();
          if (p.answer().isDone()) {
            continue; // cancelled or timed out
          }
          List<Message> taken = take(p.max(), p.visibility());
          if (taken.isEmpty()) {
            polls.addFirst(p);
            break;
          }
          answered.add(() -> p.answer().complete(taken));
        }
      }
      answered.forEach(InProcessSqs.this::deliver);
    }

    CompletableFuture<List<Message>> receive(int max, int waitSeconds, Integer visibility) {
      CompletableFuture<List<Message>> answer = new CompletableFuture<>();
      synchronized (this) {
        List<Message> taken = take(max, visibility);
        if (!taken.isEmpty() || waitSeconds == 0) {
          deliver(() -> answer.complete(taken));
          return answer;
        }
        polls.addLast(new Poll(max, visibility, answer));
      }
      try {
        ScheduledFuture<?> timeout =
            timer.schedule(
                () -> deliver(() -> answer.complete(List.of())), waitSeconds, TimeUnit.SECONDS);
        answer.whenComplete((r, e) -> timeout.cancel(false));
      } catch (RejectedExecutionException e) {
        answer.complete(List.of()); // closed
      }
      return answer;
    }

    /**
     * Takes up to {@code max} visible messages and puts them in flight; those received more often
     * than the redrive policy allows go to the dead-letter queue instead. Holds the lock.
     */
    private List<Message> take(int max, Integer visibility) {
      List<Message> out = new ArrayList<>(Math.min(max, visible.size()));
      List<Stored> dead = new ArrayList<>(0);
      Iterator<Stored> it = visible.iterator();
      while (it.hasNext() && out.size() < max) {
        Stored m = it.next();
        it.remove();
        if (m.receiveCount >= maxReceiveCount && queueByArn(deadLetterArn) != null) {
          dead.add(m);
          continue;
        }
        m.receiveCount++;
        if (m.firstReceivedAt == 0) {
          m.firstReceivedAt = System.currentTimeMillis();
        }
        m.receipt = UUID.randomUUID().toString();
        inFlight.put(m.receipt, m);
        hide(m, visibility == null ? visibilityTimeout : visibility);
        out.add(message(m));
      }
      if (!dead.isEmpty()) {
        Queue dlq = queueByArn(deadLetterArn);
        // Another queue's lock: taken on the timer, never while holding this one.
        later(() -> dead.forEach(dlq::arrive), 0);
      }
      return out;
    }

    /** Puts {@code m} back in the queue after {@code seconds}; holds the lock. */
    private void hide(Stored m, int seconds) {
      if (m.reappear != null) {
        m.reappear.cancel(false);
      }
      String receipt = m.receipt;
      // seconds == 0 on receive: visible again at once, as SQS does
      m.reappear = later(() -> reappear(m, receipt), seconds);
    }

    private void reappear(Stored m, String receipt) {
      synchronized (this) {
        if (!receipt.equals(m.receipt) || inFlight.remove(receipt) == null) {
          return; // deleted, or received again since
        }
        m.receipt = null;
        m.reappear = null;
      }
      arrive(m);
    }

    boolean delete(String receipt) {
      synchronized (this) {
        Stored m = receipt == null ? null : inFlight.remove(receipt);
        if (m == null) {
          return false;
        }
        m.receipt = null;
        if (m.reappear != null) {
          m.reappear.cancel(false);
        }
        return true;
      }
    }

    boolean changeVisibility(String receipt, Integer seconds) {
      if (seconds == null || seconds < 0 || seconds > 43_200) {
        throw error("InvalidParameterValue", "VisibilityTimeout must be 0-43200", 400);
      }
      Stored m;
      synchronized (this) {
        m = receipt == null ? null : inFlight.get(receipt);
        if (m == null) {
          return false;
        }
        if (seconds > 0) {
          hide(m, seconds);
          return true;
        }
        inFlight.remove(receipt);
        m.receipt = null;
        if (m.reappear != null) {
          m.reappear.cancel(false);
          m.reappear = null;
        }
      }
      arrive(m);
      return true;
    }

    void endPolls() {
      List<Poll> ended;
      synchronized (this) {
        ended = new ArrayList<>(polls);
        polls.clear();
      }
      ended.forEach(p -> p.answer().complete(List.of()));
    }

    private Message message(Stored m) {
      Map<MessageSystemAttributeName, String> system =
          new EnumMap<>(MessageSystemAttributeName.class);
      system.put(
          MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, Integer.toString(m.receiveCount));
      system.put(MessageSystemAttributeName.SENT_TIMESTAMP, Long.toString(m.sentAt));
      system.put(
          MessageSystemAttributeName.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP,
          Long.toString(m.firstReceivedAt));
      return Message.builder()
          .messageId(m.id)
          .receiptHandle(m.receipt)
          .body(m.body)
          .attributes(system)
          .messageAttributes(m.attributes)
          .build();
    }
  }
}
