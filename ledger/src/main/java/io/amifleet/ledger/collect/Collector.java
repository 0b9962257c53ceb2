package io.amifleet.ledger.collect;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.common.queue.Queues;
import io.amifleet.ledger.RunLedger;
import io.amifleet.ledger.complete.RunCompletion;
import io.amifleet.ledger.model.Orphan;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.batchmanager.SqsAsyncBatchManager;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The collector: consumes the results queue into the run ledger and completes runs. Each message is
 * recorded first and deleted after, so a collector that dies in between leaves the message to come
 * back, and recording it again changes nothing (the ledger's writes are conditional). A message
 * that is not a result of a known run (not JSON, an unknown schema version, a run the ledger does
 * not know) is kept as an orphan, then deleted: never dropped silently, never left to loop. Bodies
 * are never logged.
 *
 * <p>A run whose results arrived is checked for completion when the queue runs dry, and at most
 * every {@code checkInterval} while results keep coming (a check reads the whole run); every open
 * run is checked every {@code sweepInterval}, which is how a deadline passes without results.
 *
 * <p>One thread runs {@link #run}; not thread-safe otherwise. Uses the injector's clients.
 */
public final class Collector {
  private static final Logger log = LoggerFactory.getLogger(Collector.class);

  /**
   * How it reads and when it stops.
   *
   * @param visibility how long a received message stays hidden while it is recorded
   * @param exitWhenIdle stop when no message came for this long and no run is left to check
   */
  public record Settings(
      Duration visibility,
      Duration receiveWait,
      Duration checkInterval,
      Duration sweepInterval,
      Optional<Duration> exitWhenIdle) {
    public Settings {
      requireNonNull(visibility, "visibility is null");
      requireNonNull(receiveWait, "receiveWait is null");
      requireNonNull(checkInterval, "checkInterval is null");
      requireNonNull(sweepInterval, "sweepInterval is null");
      requireNonNull(exitWhenIdle, "exitWhenIdle is null");
    }

    public static Settings defaults() {
      return new Settings(
          Duration.ofSeconds(60),
          Duration.ofSeconds(20),
          Duration.ofSeconds(30),
          Duration.ofMinutes(5),
          Optional.empty());
    }
  }

  /** What a collector did. */
  public record Stats(int received, int recorded, int unchanged, int orphans, int completed) {}

  private final SqsAsyncClient sqs;
  private final SqsAsyncBatchManager batches;
  private final Queues queues;
  private final MessageCodec codec;
  private final RunLedger ledger;
  private final RunCompletion completion;
  private final Clock clock;
  private final Settings settings;

  public Collector(
      SqsAsyncClient sqs,
      SqsAsyncBatchManager batches,
      Queues queues,
      MessageCodec codec,
      RunLedger ledger,
      RunCompletion completion,
      Clock clock,
      Settings settings) {
    this.sqs = requireNonNull(sqs, "sqs is null");
    this.batches = requireNonNull(batches, "batches is null");
    this.queues = requireNonNull(queues, "queues is null");
    this.codec = requireNonNull(codec, "codec is null");
    this.ledger = requireNonNull(ledger, "ledger is null");
    this.completion = requireNonNull(completion, "completion is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.settings = requireNonNull(settings, "settings is null");
  }

  /** Collects until {@code stop} says so or the queue stays idle for {@code exitWhenIdle}. */
  public Stats run(BooleanSupplier stop) {
    String url = queues.resultsUrl();
    int received = 0;
    int recorded = 0;
    int unchanged = 0;
    int orphans = 0;
    int completed = 0;
    Set<String> toCheck = new LinkedHashSet<>();
    Map<String, Instant> checkedAt = new HashMap<>();
    Instant lastMessage = clock.instant();
    Instant lastSweep = Instant.MIN;
    while (!stop.getAsBoolean()) {
      Instant now = clock.instant();
      if (!now.isBefore(lastSweep.plus(settings.sweepInterval()))) {
        lastSweep = now;
        // Every open run: a deadline passes without results, and a run whose last result came
        // before its dispatcher recorded the jobs is found complete here.
        for (var run : ledger.openRuns(now.minus(sweepWindow()))) {
          completed += completion.check(run.runId(), Optional.empty()).isPresent() ? 1 : 0;
        }
      }
      List<Message> messages = receive(url);
      List<CompletableFuture<?>> deletes = new ArrayList<>();
      for (Message m : messages) {
        received++;
        Handled h;
        try {
          h = handle(m);
        } catch (AmiFleetException e) {
          // The ledger could not be written: the message comes back after its visibility.
          log.warn("message {} not recorded, it will come back: {}", m.messageId(), e.getMessage());
          continue;
        }
        switch (h.outcome()) {
          case RECORDED -> recorded++;
          case UNCHANGED -> unchanged++;
          case ORPHAN -> orphans++;
        }
        h.runId().ifPresent(toCheck::add);
        deletes.add(batches.deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle())));
      }
      CompletableFuture.allOf(deletes.toArray(new CompletableFuture<?>[0]))
          .exceptionally(
              e -> {
                log.warn("some results not deleted, they will come back: {}", e.getMessage());
                return null;
              })
          .join();
      now = clock.instant();
      if (!messages.isEmpty()) {
        lastMessage = now;
      }
      for (var it = toCheck.iterator(); it.hasNext(); ) {
        String runId = it.next();
        Instant last = checkedAt.getOrDefault(runId, Instant.MIN);
        if (messages.isEmpty() || !now.isBefore(last.plus(settings.checkInterval()))) {
          checkedAt.put(runId, now);
          it.remove();
          completed += completion.check(runId, Optional.empty()).isPresent() ? 1 : 0;
        }
      }
      if (settings.exitWhenIdle().isPresent()
          && messages.isEmpty()
          && toCheck.isEmpty()
          && !now.isBefore(lastMessage.plus(settings.exitWhenIdle().get()))) {
        break;
      }
    }
    return new Stats(received, recorded, unchanged, orphans, completed);
  }

  /** Runs older than this are not swept: twice the longest deadline a run is likely to have. */
  private static Duration sweepWindow() {
    return Duration.ofDays(7);
  }

  private List<Message> receive(String url) {
    long wait = settings.receiveWait().toSeconds();
    if (settings.exitWhenIdle().isPresent()) {
      wait = Math.min(wait, Math.max(1, settings.exitWhenIdle().get().toSeconds()));
    }
    long waitSeconds = Math.max(0, Math.min(20, wait));
    try {
      return sqs.receiveMessage(
              b ->
                  b.queueUrl(url)
                      .maxNumberOfMessages(10)
                      .waitTimeSeconds((int) waitSeconds)
                      .visibilityTimeout((int) settings.visibility().toSeconds()))
          .join()
          .messages();
    } catch (CompletionException e) {
      throw AwsErrors.translate(e, "ReceiveMessage from " + url);
    }
  }

  enum Outcome {
    RECORDED,
    UNCHANGED,
    ORPHAN
  }

  record Handled(Outcome outcome, Optional<String> runId) {}

  /** Records one message: as a result of its run, or as an orphan. */
  Handled handle(Message m) {
    Instant now = clock.instant();
    ResultMessage result;
    try {
      result = codec.decodeResult(m.body());
    } catch (AmiFleetException e) {
      keep(new Orphan(m.messageId(), now, e.getMessage(), null, m.body()));
      return new Handled(Outcome.ORPHAN, Optional.empty());
    }
    RunLedger.Recorded r = ledger.record(result);
    return switch (r) {
      case NEW, REPLACED -> new Handled(Outcome.RECORDED, Optional.of(result.runId()));
      case UNCHANGED -> new Handled(Outcome.UNCHANGED, Optional.of(result.runId()));
      case UNKNOWN_RUN -> {
        keep(
            new Orphan(
                m.messageId(),
                now,
                "no run " + result.runId() + " in the ledger",
                result.runId(),
                m.body()));
        yield new Handled(Outcome.ORPHAN, Optional.empty());
      }
    };
  }

  private void keep(Orphan orphan) {
    ledger.orphan(orphan);
    // The reason only: a body that is not a result may be a job, with its ExternalId.
    log.warn(
        "message {} kept as an orphan result in {}: {}",
        orphan.messageId(),
        ledger.describe(),
        orphan.reason());
  }
}
