package io.amifleet.worker.dlq;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.message.WorkItem;
import io.amifleet.common.queue.OutgoingMessage;
import io.amifleet.common.queue.QueueSender;
import io.amifleet.common.queue.Queues;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.ListMessageMoveTasksResultEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Inspects and replays the dead-letter queue.
 *
 * <p>Listing leaves every message where it was (they are made visible again at the end). Replay
 * moves matching messages back to the jobs queue one by one: receive, send the body to the jobs
 * queue, and delete from the DLQ only after the jobs queue accepted the copy; if the process dies
 * between the two, the message is in both queues and the job runs twice, adopting its own image (no
 * duplicate). Not thread-safe: one operation at a time.
 */
public final class DeadLetters {
  private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

  /** How long scanned messages stay hidden while the scan goes on. */
  private static final Duration SCAN_VISIBILITY = Duration.ofMinutes(5);

  private final SqsAsyncClient sqs;
  private final QueueSender sender;
  private final Queues queues;
  private final MessageCodec codec;

  /**
   * What a replay did.
   *
   * @param skippedUnreadable matching messages left in the DLQ because their body is not a job
   * @param errorCodes how many scanned messages carry each error code, for a hint when a filter
   *     matched nothing
   */
  public record ReplayReport(
      int moved,
      int stayed,
      int skippedUnreadable,
      List<String> failures,
      List<DeadLetter> matched,
      Map<String, Integer> errorCodes) {
    public ReplayReport {
      failures = List.copyOf(failures);
      matched = List.copyOf(matched);
      errorCodes = Collections.unmodifiableMap(new TreeMap<>(errorCodes));
    }
  }

  @Inject
  public DeadLetters(SqsAsyncClient sqs, QueueSender sender, Queues queues, MessageCodec codec) {
    this.sqs = requireNonNull(sqs, "sqs is null");
    this.sender = requireNonNull(sender, "sender is null");
    this.queues = requireNonNull(queues, "queues is null");
    this.codec = requireNonNull(codec, "codec is null");
  }

  /** Up to {@code max} messages of the DLQ, left in place. */
  public List<DeadLetter> list(int max) {
    return scan(max, d -> true, false, true).matched();
  }

  /**
   * Moves up to {@code max} messages matching {@code filter} back to the jobs queue; with {@code
   * dryRun} only says which would move. Messages that do not match stay in the DLQ, and so do
   * messages whose body is not a job (they would only come back: not JSON, an unknown version)
   * unless {@code includeUnreadable}.
   */
  public ReplayReport replay(
      Predicate<DeadLetter> filter, int max, boolean dryRun, boolean includeUnreadable) {
    return scan(max, filter, !dryRun, includeUnreadable);
  }

  /**
   * Receives from the DLQ until it has nothing more to give or {@code max} messages matched; moves
   * the matching ones when {@code move}, and makes every message it did not move visible again at
   * the end (scanned messages stay hidden meanwhile, so none is seen twice).
   */
  private ReplayReport scan(
      int max, Predicate<DeadLetter> matches, boolean move, boolean includeUnreadable) {
    String dlq = queues.dlqUrl();
    String jobs = move ? queues.jobsUrl() : null;
    List<DeadLetter> kept = new ArrayList<>();
    List<DeadLetter> matched = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    Map<String, Integer> codes = new HashMap<>();
    int moved = 0;
    int unreadable = 0;
    while (matched.size() < max) {
      List<Message> messages = receive(dlq, 10);
      if (messages.isEmpty()) {
        break;
      }
      for (Message m : messages) {
        DeadLetter d = toDeadLetter(m);
        codes.merge(d.errorCode(), 1, Integer::sum);
        if (matched.size() >= max || !matches.test(d)) {
          kept.add(d);
          continue;
        }
        if (!d.readable() && !includeUnreadable) {
          unreadable++;
          kept.add(d);
          continue;
        }
        matched.add(d);
        if (!move) {
          kept.add(d);
          continue;
        }
        try {
          sender.send(jobs, OutgoingMessage.of(d.body())).join();
        } catch (CompletionException e) {
          failures.add(
              d.messageId()
                  + ": not sent to the jobs queue, left in the DLQ: "
                  + AwsErrors.translate(e, "SendMessage").getMessage());
          kept.add(d);
          continue;
        }
        moved++;
        try {
          sqs.deleteMessage(b -> b.queueUrl(dlq).receiptHandle(d.receiptHandle())).join();
        } catch (CompletionException e) {
          // The copy is on the jobs queue and the original will reappear here; replaying it
          // again runs the job twice, which adopts its image. Safe, and said.
          failures.add(
              d.messageId()
                  + ": replayed, but still in the DLQ (replaying it again is harmless): "
                  + AwsErrors.translate(e, "DeleteMessage").getMessage());
        }
      }
    }
    release(dlq, kept);
    return new ReplayReport(moved, kept.size(), unreadable, failures, matched, codes);
  }

  /**
   * Moves every message back with SQS's own StartMessageMoveTask and waits for it to finish;
   * returns the number moved, or empty when the endpoint does not support move tasks.
   */
  public Optional<Long> moveAll(Duration timeout) {
    String dlqArn = arn(queues.dlqUrl());
    String jobsArn = arn(queues.jobsUrl());
    String handle;
    try {
      handle =
          sqs.startMessageMoveTask(b -> b.sourceArn(dlqArn).destinationArn(jobsArn))
              .join()
              .taskHandle();
    } catch (CompletionException e) {
      AmiFleetException t = AwsErrors.translate(e, "StartMessageMoveTask");
      log.info(
          "StartMessageMoveTask is not available here ({}); moving messages one by one",
          t.errorCode());
      return Optional.empty();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      List<ListMessageMoveTasksResultEntry> tasks =
          sqs.listMessageMoveTasks(b -> b.sourceArn(dlqArn).maxResults(10)).join().results();
      for (ListMessageMoveTasksResultEntry t : tasks) {
        if (handle.equals(t.taskHandle()) || tasks.size() == 1) {
          String status = t.status();
          if ("COMPLETED".equals(status)) {
            return Optional.of(
                t.approximateNumberOfMessagesMoved() == null
                    ? 0L
                    : t.approximateNumberOfMessagesMoved());
          }
          if ("FAILED".equals(status) || "CANCELLED".equals(status)) {
            throw new AmiFleetException(
                io.amifleet.common.error.ErrorKind.PERMANENT,
                "MoveTaskFailed",
                "the SQS move task ended " + status + ": " + t.failureReason());
          }
        }
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new AmiFleetException(
        io.amifleet.common.error.ErrorKind.RETRYABLE,
        "MoveTaskTimeout",
        "the SQS move task "
            + handle
            + " did not finish within "
            + timeout.toSeconds()
            + " s; it goes on in SQS");
  }

  private List<Message> receive(String dlq, int max) {
    try {
      return sqs.receiveMessage(
              b ->
                  b.queueUrl(dlq)
                      .maxNumberOfMessages(max)
                      .waitTimeSeconds(1)
                      .visibilityTimeout((int) SCAN_VISIBILITY.toSeconds())
                      .messageAttributeNames("All"))
          .join()
          .messages();
    } catch (CompletionException e) {
      throw AwsErrors.translate(e, "ReceiveMessage from " + dlq);
    }
  }

  private void release(String dlq, List<DeadLetter> kept) {
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (DeadLetter d : kept) {
      all.add(
          sqs.changeMessageVisibility(
                  b -> b.queueUrl(dlq).receiptHandle(d.receiptHandle()).visibilityTimeout(0))
              .exceptionally(
                  e -> {
                    log.warn(
                        "message {} stays hidden for up to {}: {}",
                        d.messageId(),
                        SCAN_VISIBILITY,
                        AwsErrors.unwrap(e).toString());
                    return null;
                  }));
    }
    CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).join();
  }

  private DeadLetter toDeadLetter(Message m) {
    Map<String, String> attributes = new HashMap<>();
    for (Map.Entry<String, MessageAttributeValue> e : m.messageAttributes().entrySet()) {
      if (e.getValue().stringValue() != null) {
        attributes.put(e.getKey(), e.getValue().stringValue());
      }
    }
    Optional<WorkItem> work;
    try {
      work = Optional.of(codec.decodeWork(m.body()));
    } catch (AmiFleetException e) {
      work = Optional.empty();
    }
    return new DeadLetter(
        m.messageId(), m.receiptHandle(), m.body() == null ? "" : m.body(), attributes, work);
  }

  private String arn(String url) {
    return sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
        .join()
        .attributes()
        .get(QueueAttributeName.QUEUE_ARN);
  }
}
