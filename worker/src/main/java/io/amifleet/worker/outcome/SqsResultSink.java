package io.amifleet.worker.outcome;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.common.queue.OutgoingMessage;
import io.amifleet.common.queue.QueueSender;
import io.amifleet.common.queue.Queues;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes results to the results queue through the batching {@link QueueSender}. Each result
 * carries its run ID as a message attribute so consumers can skip other runs without parsing.
 * Thread-safe.
 */
public final class SqsResultSink implements ResultSink {
  public static final String RUN_ID_ATTRIBUTE = "amifleet-run-id";

  private final QueueSender sender;
  private final Queues queues;
  private final MessageCodec codec;

  @Inject
  public SqsResultSink(QueueSender sender, Queues queues, MessageCodec codec) {
    this.sender = requireNonNull(sender, "sender is null");
    this.queues = requireNonNull(queues, "queues is null");
    this.codec = requireNonNull(codec, "codec is null");
  }

  @Override
  public void prepare() {
    queues.resultsUrl();
  }

  @Override
  public CompletableFuture<Void> publish(ResultMessage result) {
    return sender
        .send(
            queues.resultsUrl(),
            new OutgoingMessage(codec.encode(result), Map.of(RUN_ID_ATTRIBUTE, result.runId())))
        .thenApply(id -> null);
  }
}
