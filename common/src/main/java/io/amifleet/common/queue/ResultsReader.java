package io.amifleet.common.queue;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.message.JobStatus;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.message.ResultMessage;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.batchmanager.SqsAsyncBatchManager;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Reads the results queue, consuming what it read only when asked ({@link Request#delete}). Results
 * are at-least-once, so they are de-duplicated by job ID; a later SUCCEEDED (a replayed job)
 * replaces an earlier failure. Results of other runs are left on the queue for their own readers.
 * Every message read and not deleted is made visible again when reading ends, so that a read that
 * does not consume hides nothing from the collector or the next reader for longer than the read
 * itself.
 *
 * <p>A message that is not a result (the reader pointed at the jobs queue by mistake, a message put
 * there by hand) is never deleted, with or without the delete option: it is counted, left where it
 * was (visible again when reading ends) and said to be there; its body is never logged, as a job
 * carries its ExternalId. Not thread-safe: one reader per call.
 */
public final class ResultsReader {
  private static final Logger log = LoggerFactory.getLogger(ResultsReader.class);
  private static final Duration HIDE_OTHERS = Duration.ofSeconds(60);

  private final SqsAsyncClient sqs;
  private final SqsAsyncBatchManager batches;
  private final Queues queues;
  private final MessageCodec codec;
  private final Clock clock;

  /**
   * What to read and when to stop. {@code expect} 0 means: until the queue stays empty for {@code
   * idle}.
   */
  public record Request(
      Optional<String> runId, int expect, Duration timeout, Duration idle, boolean delete) {
    public Request {
      requireNonNull(runId, "runId is null");
      requireNonNull(timeout, "timeout is null");
      requireNonNull(idle, "idle is null");
    }
  }

  /**
   * Distinct results in arrival order, whether reading stopped on the timeout, how many distinct
   * messages were not results (left on the queue), and the other runs whose results were seen.
   */
  public record Collected(
      List<ResultMessage> results, boolean timedOut, int notResults, Set<String> otherRuns) {
    public Collected {
      otherRuns = Set.copyOf(otherRuns);
    }

    public long count(JobStatus status) {
      return results.stream().filter(r -> r.status() == status).count();
    }

    public boolean allSucceeded() {
      return results.stream().allMatch(ResultMessage::succeeded);
    }
  }

  @Inject
  public ResultsReader(
      SqsAsyncClient sqs,
      SqsAsyncBatchManager batches,
      Queues queues,
      MessageCodec codec,
      Clock clock) {
    this.sqs = requireNonNull(sqs, "sqs is null");
    this.batches = requireNonNull(batches, "batches is null");
    this.queues = requireNonNull(queues, "queues is null");
    this.codec = requireNonNull(codec, "codec is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** Reads until the request is met; {@code onResult} sees each new job and each status change. */
  public Collected read(Request request, Consumer<ResultMessage> onResult) {
    String url = queues.resultsUrl();
    Map<String, ResultMessage> byJob = new LinkedHashMap<>();
    Instant start = clock.instant();
    Instant deadline = start.plus(request.timeout());
    Instant lastSeen = start;
    List<CompletableFuture<?>> pending = new ArrayList<>();
    // Not results, by message ID: the receipt handle of the latest receive, to release them.
    Map<String, String> foreign = new LinkedHashMap<>();
    // Every other message read and not deleted (other runs', and this run's when not consuming).
    Map<String, String> held = new LinkedHashMap<>();
    Set<String> otherRuns = new TreeSet<>();
    while (true) {
      Instant now = clock.instant();
      boolean done =
          (request.expect() > 0 && byJob.size() >= request.expect())
              || !now.isBefore(deadline)
              || (request.expect() == 0
                  && Duration.between(lastSeen, now).compareTo(request.idle()) >= 0);
      if (done) {
        foreign.values().forEach(receipt -> pending.add(release(url, receipt)));
        held.values().forEach(receipt -> pending.add(release(url, receipt)));
        // Deletes and visibility changes are batched; make sure they went out.
        CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]))
            .exceptionally(e -> null)
            .join();
        boolean timedOut = request.expect() > 0 && byJob.size() < request.expect();
        return new Collected(new ArrayList<>(byJob.values()), timedOut, foreign.size(), otherRuns);
      }
      Instant until = deadline;
      if (request.expect() == 0 && lastSeen.plus(request.idle()).isBefore(until)) {
        until = lastSeen.plus(request.idle());
      }
      long waitSeconds = Math.max(1, Math.min(20, Duration.between(now, until).toSeconds()));
      List<Message> messages;
      try {
        messages =
            sqs.receiveMessage(
                    b ->
                        b.queueUrl(url)
                            .maxNumberOfMessages(10)
                            .waitTimeSeconds((int) waitSeconds)
                            .visibilityTimeout(30))
                .join()
                .messages();
      } catch (CompletionException e) {
        throw AwsErrors.translate(e, "ReceiveMessage from " + url);
      }
      for (Message m : messages) {
        ResultMessage result;
        try {
          result = codec.decodeResult(m.body());
        } catch (AmiFleetException e) {
          if (foreign.put(m.messageId(), m.receiptHandle()) == null) {
            // The reason only: the body may be a job, with its ExternalId.
            log.warn(
                "message {} on {} is not a result, leaving it there: {}",
                m.messageId(),
                url,
                e.getMessage());
          }
          pending.add(hide(url, m.receiptHandle()));
          continue;
        }
        if (request.runId().isPresent() && !request.runId().get().equals(result.runId())) {
          otherRuns.add(result.runId());
          held.put(m.messageId(), m.receiptHandle());
          pending.add(hide(url, m.receiptHandle()));
          continue;
        }
        ResultMessage previous = byJob.get(result.jobId());
        if (previous == null || result.supersedes(previous)) {
          byJob.put(result.jobId(), result);
          if (previous == null || previous.status() != result.status()) {
            // Only news counts as activity: a result read again (not consumed, visible again
            // after its visibility timeout) must not keep an idle read going.
            lastSeen = clock.instant();
            onResult.accept(result);
          }
        }
        if (request.delete()) {
          pending.add(batches.deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle())));
        } else {
          held.put(m.messageId(), m.receiptHandle());
        }
      }
    }
  }

  /** Keeps a message that is not this reader's out of its next receives for a while. */
  private CompletableFuture<?> hide(String url, String receipt) {
    return batches.changeMessageVisibility(
        b ->
            b.queueUrl(url)
                .receiptHandle(receipt)
                .visibilityTimeout((int) HIDE_OTHERS.toSeconds()));
  }

  /** Makes a message this reader left visible again, as it was before reading. */
  private CompletableFuture<?> release(String url, String receipt) {
    return batches.changeMessageVisibility(
        b -> b.queueUrl(url).receiptHandle(receipt).visibilityTimeout(0));
  }
}
