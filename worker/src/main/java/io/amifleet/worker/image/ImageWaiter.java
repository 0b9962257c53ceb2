package io.amifleet.worker.image;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.aws.AccountRegion;
import io.amifleet.common.config.Durations;
import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.log.JobMdc;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for images to become available without holding a thread per image ({@link
 * ImageAvailability} by polling): each wait is a pending future, and one poller per account+region
 * asks about all of its waiting images once per poll interval: one DescribeImages per 1,000 of them
 * (EC2's limit of IDs per call).
 *
 * <p>A new poller makes its first check soon ({@code firstCheck}), then one per {@code
 * pollInterval} while anything waits; news from an {@link ImageEvents} source makes it check at
 * once. An image EC2 does not know yet (eventual consistency right after CreateImage) keeps waiting
 * for {@link #NOT_FOUND_GRACE}. A failed poll is retried at the next interval when retryable; a
 * permanent error (the role lost its permissions) fails every image of that account+region. A wait
 * whose future was cancelled (its job released at shutdown) is dropped at the next check.
 *
 * <p>Thread-safe. Does not own the scheduler or the image service.
 */
public final class ImageWaiter implements ImageAvailability, ImageEvents {
  static final Duration NOT_FOUND_GRACE = Duration.ofMinutes(5);

  private static final Logger log = LoggerFactory.getLogger(ImageWaiter.class);

  private final ImageService images;
  private final ScheduledExecutorService timer;
  private final Clock clock;
  private final Duration pollInterval;
  private final Duration firstCheck;
  private final ConcurrentMap<Ec2Target, Group> groups = new ConcurrentHashMap<>();
  private final AtomicLong polls = new AtomicLong();

  public ImageWaiter(
      ImageService images,
      ScheduledExecutorService timer,
      Clock clock,
      Duration pollInterval,
      Duration firstCheck) {
    this.images = requireNonNull(images, "images is null");
    this.timer = requireNonNull(timer, "timer is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.pollInterval = requireNonNull(pollInterval, "pollInterval is null");
    this.firstCheck = firstCheck.compareTo(pollInterval) < 0 ? firstCheck : pollInterval;
  }

  @Override
  public CompletableFuture<ImageInfo> await(Ec2Target target, String imageId, Instant deadline) {
    CompletableFuture<ImageInfo> future = new CompletableFuture<>();
    Waiting w = new Waiting(imageId, future, deadline, clock.instant());
    groups.computeIfAbsent(target, Group::new).add(w);
    return future;
  }

  @Override
  public void changed(AccountRegion where, String imageId) {
    groups.forEach(
        (target, group) -> {
          if (target.accountRegion().equals(where)) {
            group.checkSoon(imageId);
          }
        });
  }

  /** Images currently waited on, over all accounts and regions. */
  public int waitingCount() {
    return groups.values().stream().mapToInt(Group::size).sum();
  }

  /** DescribeImages calls made for waiting, since start. */
  public long pollCount() {
    return polls.get();
  }

  private record Waiting(
      String imageId, CompletableFuture<ImageInfo> future, Instant deadline, Instant since) {}

  /** The waits of one account+region, and its poller. Guarded by its own monitor. */
  private final class Group {
    private final Ec2Target target;
    private final Map<String, List<Waiting>> waiting = new HashMap<>();
    private ScheduledFuture<?> scheduled;
    private boolean inFlight;
    private boolean checkAgain;

    Group(Ec2Target target) {
      this.target = target;
    }

    synchronized int size() {
      return waiting.values().stream().mapToInt(List::size).sum();
    }

    synchronized void add(Waiting w) {
      waiting.computeIfAbsent(w.imageId(), k -> new ArrayList<>()).add(w);
      if (scheduled == null && !inFlight) {
        schedule(firstCheck);
      }
    }

    /**
     * News of {@code imageId}: when it is waited on here, check now (or right after this check).
     */
    synchronized void checkSoon(String imageId) {
      if (!waiting.containsKey(imageId)) {
        return;
      }
      if (inFlight) {
        checkAgain = true;
      } else {
        if (scheduled != null) {
          scheduled.cancel(false);
        }
        schedule(Duration.ZERO);
      }
    }

    private void schedule(Duration delay) {
      scheduled = timer.schedule(this::poll, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void poll() {
      List<String> ids;
      synchronized (this) {
        scheduled = null;
        if (inFlight) {
          // An early check (an image event) came while one was running: it follows that one.
          checkAgain = true;
          return;
        }
        // Waits given up on (their job was released) cost no more calls.
        waiting.values().forEach(ws -> ws.removeIf(w -> w.future().isDone()));
        waiting.values().removeIf(List::isEmpty);
        if (waiting.isEmpty()) {
          return;
        }
        inFlight = true;
        checkAgain = false;
        ids = List.copyOf(waiting.keySet());
      }
      polls.incrementAndGet();
      CompletableFuture<ImageService.Lookup> call;
      try {
        call = images.describe(target, ids);
      } catch (RuntimeException e) {
        call = CompletableFuture.failedFuture(e);
      }
      call.whenComplete(
          (lookup, error) -> {
            List<Runnable> completions = new ArrayList<>();
            synchronized (this) {
              inFlight = false;
              if (error != null) {
                failed(error, completions);
              } else {
                answered(lookup, completions);
              }
              if (!waiting.isEmpty()) {
                schedule(checkAgain ? Duration.ZERO : pollInterval);
              }
            }
            // Complete outside the monitor: callbacks may register new waits.
            completions.forEach(Runnable::run);
          });
    }

    private void answered(ImageService.Lookup lookup, List<Runnable> completions) {
      Instant now = clock.instant();
      for (ImageInfo image : lookup.images()) {
        List<Waiting> ws = waiting.get(image.imageId());
        if (ws == null) {
          continue;
        }
        if (image.available()) {
          waiting.remove(image.imageId());
          ws.forEach(w -> completions.add(() -> w.future().complete(image)));
        } else if (image.broken()) {
          waiting.remove(image.imageId());
          AmiFleetException e =
              ImageException.failed(
                  image.imageId(),
                  "image "
                      + image.imageId()
                      + " in "
                      + target
                      + " is "
                      + image.state()
                      + (image.stateReason() == null ? "" : ": " + image.stateReason()));
          ws.forEach(w -> completions.add(() -> w.future().completeExceptionally(e)));
        } else {
          expire(image.imageId(), ws, now, "still " + image.state(), completions);
        }
      }
      for (String id : lookup.notFound()) {
        List<Waiting> ws = waiting.get(id);
        if (ws == null) {
          continue;
        }
        List<Waiting> gone = new ArrayList<>();
        for (Waiting w : ws) {
          if (now.isAfter(w.since().plus(NOT_FOUND_GRACE))) {
            gone.add(w);
            AmiFleetException e =
                ImageException.failed(
                    id,
                    "image "
                        + id
                        + " in "
                        + target
                        + " does not exist (deregistered, or never became visible)");
            completions.add(() -> w.future().completeExceptionally(e));
          }
        }
        ws.removeAll(gone);
        if (ws.isEmpty()) {
          waiting.remove(id);
        } else {
          expire(id, ws, now, "not visible yet", completions);
        }
      }
    }

    private void expire(
        String id, List<Waiting> ws, Instant now, String how, List<Runnable> completions) {
      List<Waiting> late = ws.stream().filter(w -> now.isAfter(w.deadline())).toList();
      for (Waiting w : late) {
        AmiFleetException e =
            ImageException.timedOut(
                id,
                "image "
                    + id
                    + " in "
                    + target
                    + " "
                    + how
                    + " after "
                    + Duration.between(w.since(), now).toSeconds()
                    + " s (--max-wait)");
        completions.add(() -> w.future().completeExceptionally(e));
      }
      ws.removeAll(late);
      if (ws.isEmpty()) {
        waiting.remove(id);
      }
    }

    private void failed(Throwable error, List<Runnable> completions) {
      AmiFleetException e = AwsErrors.translate(error, "DescribeImages in " + target);
      if (e.retryable()) {
        JobMdc.with(
            target.accountId(),
            target.region(),
            () ->
                log.warn(
                    "polling images in {} failed, trying again in {}: {}",
                    target,
                    Durations.format(pollInterval),
                    e.getMessage()));
        Instant now = clock.instant();
        for (String id : List.copyOf(waiting.keySet())) {
          expire(id, waiting.get(id), now, "not checked", completions);
        }
        return;
      }
      waiting
          .values()
          .forEach(
              list ->
                  list.forEach(w -> completions.add(() -> w.future().completeExceptionally(e))));
      waiting.clear();
    }
  }
}
