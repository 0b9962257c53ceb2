package io.amifleet.dispatcher.enqueue;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.message.WorkItem;
import io.amifleet.common.queue.OutgoingMessage;
import io.amifleet.common.queue.QueueSender;
import jakarta.inject.Inject;
import java.util.List;

/**
 * Puts jobs on the jobs queue in SendMessageBatch calls of ten, retrying entries that failed (see
 * {@link QueueSender}). Jobs are idempotent by job ID, so a retried entry that had in fact been
 * accepted costs one extra delivery, never a second image.
 */
public final class JobEnqueuer {
  private final QueueSender sender;
  private final MessageCodec codec;

  @Inject
  public JobEnqueuer(QueueSender sender, MessageCodec codec) {
    this.sender = requireNonNull(sender, "sender is null");
    this.codec = requireNonNull(codec, "codec is null");
  }

  public QueueSender.Report enqueue(String jobsQueueUrl, List<? extends WorkItem> jobs) {
    List<OutgoingMessage> messages =
        jobs.stream().map(j -> OutgoingMessage.of(codec.encode(j))).toList();
    return sender.sendAll(jobsQueueUrl, messages);
  }
}
