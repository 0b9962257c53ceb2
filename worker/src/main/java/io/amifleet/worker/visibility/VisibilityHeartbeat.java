package io.amifleet.worker.visibility;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AwsErrors;
import io.amifleet.worker.poll.JobQueue;
import io.amifleet.worker.poll.ReceivedJob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps held messages invisible while their jobs run: when less than half of a message's visibility
 * is left, it is extended by {@code visibility} again (ChangeMessageVisibility, batched by the
 * SDK's batch manager), never past SQS's 12-hour ceiling since receipt. Short jobs finish before
 * their first extension and cost no call.
 *
 * <p>Thread-safe; owns its periodic task, not the scheduler.
 */
public final class VisibilityHeartbeat implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VisibilityHeartbeat.class);
  private static final Duration CEILING = Duration.ofHours(12).minusMinutes(1);

  private final JobQueue queue;
  private final Clock clock;
  private final Duration visibility;
  private final ConcurrentMap<String, Held> held = new ConcurrentHashMap<>();
  private final ScheduledFuture<?> task;

  private static final class Held {
    final ReceivedJob job;
    volatile Instant visibleAt;
    volatile boolean extending;

    Held(ReceivedJob job, Instant visibleAt) {
      this.job = job;
      this.visibleAt = visibleAt;
    }
  }

  public VisibilityHeartbeat(
      JobQueue queue, ScheduledExecutorService scheduler, Clock clock, Duration visibility) {
    this.queue = requireNonNull(queue, "queue is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.visibility = requireNonNull(visibility, "visibility is null");
    long period = Math.max(1000, visibility.toMillis() / 6);
    this.task = scheduler.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
  }

  public void track(ReceivedJob job) {
    held.put(job.receiptHandle(), new Held(job, job.receivedAt().plus(visibility)));
  }

  public void untrack(ReceivedJob job) {
    held.remove(job.receiptHandle());
  }

  public int heldCount() {
    return held.size();
  }

  void tick() {
    Instant now = clock.instant();
    for (Held h : held.values()) {
      if (h.extending
          || Duration.between(now, h.visibleAt).compareTo(visibility.dividedBy(2)) > 0) {
        continue;
      }
      Instant ceiling = h.job.receivedAt().plus(CEILING);
      Duration extension = visibility;
      if (now.plus(extension).isAfter(ceiling)) {
        extension = Duration.between(now, ceiling);
        if (extension.isNegative() || extension.isZero()) {
          continue;
        }
      }
      Duration granted = extension;
      h.extending = true;
      queue
          .changeVisibility(h.job, granted)
          .whenComplete(
              (ok, e) -> {
                h.extending = false;
                if (e == null) {
                  h.visibleAt = now.plus(granted);
                } else {
                  log.warn(
                      "cannot extend visibility of message {}: {}",
                      h.job.messageId(),
                      AwsErrors.unwrap(e).toString());
                }
              });
    }
  }

  @Override
  public void close() {
    task.cancel(false);
  }
}
