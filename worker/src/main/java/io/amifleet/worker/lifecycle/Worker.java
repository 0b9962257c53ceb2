package io.amifleet.worker.lifecycle;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.aws.Threads;
import io.amifleet.common.config.Durations;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.worker.WorkerSettings;
import io.amifleet.worker.poll.MessageSource;
import io.amifleet.worker.visibility.VisibilityHeartbeat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker: {@code consumers} poller threads per {@link MessageSource} (the jobs queue) that
 * receive messages and hand them to the source, bounded per source by its capacity times {@code
 * consumers} permits, taken before each ReceiveMessage and given back as each message is dealt
 * with. A job waiting for its image holds a permit but no thread.
 *
 * <p>Stopping is ordered: stop receiving (a pending long poll is let finish, so that no message it
 * took is hidden; cancelled at once only when the queue dies with the process) → let held jobs
 * finish within the shutdown timeout → release the rest (visibility 0, so another worker takes them
 * at once) → wait for every outcome to be routed (results published, deletes and visibility changes
 * sent). The SDK clients are closed afterwards by the command that owns them.
 */
public final class Worker {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  /**
   * How long released jobs get to end: their exit actions run first, and a hook's post waits for
   * its pre to end on the instance before it runs (a thaw must not overtake the freeze), so this
   * covers a short pre and post. A post still running when it passes is run by the job's next
   * attempt, first.
   */
  private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(60);

  private final WorkerSettings settings;
  private final int consumers;
  private final List<MessageSource> sources;
  private final VisibilityHeartbeat heartbeat;
  private final Clock clock;
  private final Set<CompletableFuture<Void>> inFlight = ConcurrentHashMap.newKeySet();
  private final Set<CompletableFuture<?>> receives = ConcurrentHashMap.newKeySet();
  private final List<Thread> pollers = new ArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running;
  private volatile Instant lastActivity;
  private volatile boolean stopRequested;
  private final AtomicBoolean idleExitStarted = new AtomicBoolean();

  public Worker(
      WorkerSettings settings,
      int consumers,
      Set<MessageSource> sources,
      VisibilityHeartbeat heartbeat,
      Clock clock) {
    this.settings = requireNonNull(settings, "settings is null");
    if (consumers < 1) {
      throw new IllegalArgumentException("consumers must be positive");
    }
    this.consumers = consumers;
    this.sources = List.copyOf(requireNonNull(sources, "sources is null"));
    this.heartbeat = requireNonNull(heartbeat, "heartbeat is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** Starts the consumers; returns at once. */
  public synchronized void start() {
    if (running || stopRequested) {
      throw new IllegalStateException("a worker starts once");
    }
    sources.forEach(MessageSource::prepare);
    running = true;
    lastActivity = clock.instant();
    for (MessageSource source : sources) {
      Semaphore permits = new Semaphore(source.capacity() * consumers);
      var factory =
          Threads.named(
              sources.size() == 1 ? "amifleet-poller" : "amifleet-poller-" + source.name());
      for (int i = 0; i < consumers; i++) {
        Thread t = factory.newThread(() -> pollLoop(source, permits));
        pollers.add(t);
        t.start();
      }
    }
    log.info(
        "worker started: {} consumer(s) of {}, poll interval {}, max wait {}",
        consumers,
        sources.stream().map(MessageSource::describe).collect(Collectors.joining(", ")),
        Durations.format(settings.pollInterval()),
        Durations.format(settings.maxWait()));
  }

  /** Jobs received and not yet routed. */
  public int inFlight() {
    return inFlight.size();
  }

  /**
   * What {@link #shutdown()} waits for if asked now, for the notice of a signal and the log: the
   * held jobs and the shutdown timeout, or (none held) the pending receive and the long-poll wait.
   */
  public String whatStoppingWaitsFor() {
    return whatStoppingWaitsFor(false);
  }

  private String whatStoppingWaitsFor(boolean cancelPolls) {
    int held = inFlight.size();
    if (held > 0) {
      return "no new jobs; "
          + held
          + " held job(s) get up to "
          + Durations.format(settings.shutdownTimeout())
          + " to finish, then go back to the queue";
    }
    return cancelPolls
        ? "no new jobs, none held"
        : "no new jobs, none held; the pending receive gets up to "
            + Durations.format(receiveWait())
            + " to return (what it takes goes straight back to the queue)";
  }

  /** Blocks until the worker has stopped (idle exit or {@link #shutdown}). */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Stops in order (see the class comment) and returns when every held message has been dealt with
   * or released. Safe to call more than once and from any thread.
   */
  public void shutdown() {
    shutdown(false);
  }

  /**
   * Stops like {@link #shutdown()}, but cancels a pending long poll at once instead of letting it
   * finish: for a queue that dies with this process (the embedded queue of single-machine mode),
   * where a cancelled poll can hide nothing.
   */
  public void shutdownNow() {
    shutdown(true);
  }

  private void shutdown(boolean cancelPolls) {
    synchronized (this) {
      if (stopRequested) {
        awaitQuietly();
        return;
      }
      stopRequested = true;
      running = false;
    }
    boolean idle = inFlight.isEmpty();
    log.info("stopping: {}", whatStoppingWaitsFor(cancelPolls));
    // Let a pending long poll finish rather than cancel it: SQS may already have handed it
    // messages (a job replayed from the DLQ as this worker scales in), which a cancelled call would
    // hide from every other worker for the whole visibility timeout and count as a receive. What it
    // returns now is released at once. The wait is bounded by the long-poll wait (at most half the
    // shutdown timeout), so an idle worker stops within about that; with jobs held the stop takes
    // the shutdown timeout anyway. Only a poll that outlives the budget is cancelled. A queue that
    // dies with this process (cancelPolls) has no other reader to hide anything from.
    long pollBudget =
        cancelPolls
            ? 0
            : Math.max(
                idle ? 0 : settings.shutdownTimeout().toMillis(), receiveWait().toMillis() + 2_000);
    long end = System.nanoTime() + pollBudget * 1_000_000;
    for (Thread t : pollers) {
      try {
        t.join(Math.max(1, (end - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    receives.forEach(f -> f.cancel(true));
    pollers.forEach(Thread::interrupt);
    if (!awaitInFlight(settings.shutdownTimeout())) {
      log.info(
          "releasing {} held job(s) to other workers; images already requested are adopted",
          inFlight.size());
      sources.forEach(MessageSource::releaseHeld);
      if (!awaitInFlight(RELEASE_TIMEOUT)) {
        log.warn(
            "{} job(s) were not released in time; they reappear after their visibility timeout",
            inFlight.size());
      }
    }
    heartbeat.close();
    log.info("worker stopped");
    stopped.countDown();
  }

  private void awaitQuietly() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean awaitInFlight(Duration timeout) {
    CompletableFuture<?>[] all = inFlight.toArray(new CompletableFuture<?>[0]);
    try {
      CompletableFuture.allOf(all).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return inFlight.isEmpty() || awaitInFlight(timeout);
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      return inFlight.isEmpty();
    }
  }

  private void pollLoop(MessageSource source, Semaphore permits) {
    long errorPause = 1_000;
    while (running) {
      int n;
      try {
        if (!permits.tryAcquire(1, 250, TimeUnit.MILLISECONDS)) {
          markBusyOrIdle(false);
          continue;
        }
      } catch (InterruptedException e) {
        break;
      }
      n = 1;
      while (n < 10 && permits.tryAcquire()) {
        n++;
      }
      List<MessageSource.Delivery> got;
      CompletableFuture<List<MessageSource.Delivery>> receive = source.receive(n, receiveWait());
      receives.add(receive);
      try {
        got = receive.get();
        errorPause = 1_000;
      } catch (InterruptedException | CancellationException e) {
        permits.release(n);
        break;
      } catch (ExecutionException e) {
        permits.release(n);
        if (!running) {
          break;
        }
        log.warn(
            "ReceiveMessage ({}) failed, trying again in {} ms: {}",
            source.name(),
            errorPause,
            AwsErrors.unwrap(e).toString());
        sleep(errorPause);
        errorPause = Math.min(30_000, errorPause * 2);
        continue;
      } finally {
        receives.remove(receive);
      }
      permits.release(n - got.size());
      if (!running) {
        // Received while stopping: give them back at once.
        for (MessageSource.Delivery message : got) {
          hold(message.release(), permits);
        }
        break;
      }
      for (MessageSource.Delivery message : got) {
        hold(message.handle(), permits);
      }
      markBusyOrIdle(!got.isEmpty());
    }
  }

  /** Counts {@code work} as held until it completes, then gives its permit back. */
  private void hold(CompletableFuture<Void> work, Semaphore permits) {
    inFlight.add(work);
    work.whenComplete(
        (x, e) -> {
          inFlight.remove(work);
          permits.release();
        });
  }

  /**
   * The long-poll wait: the configured one, but short enough that a poll pending when the worker
   * stops ends within half the shutdown timeout. A poll cancelled instead would still take messages
   * on the SQS side (released jobs among them) and hide them for the whole visibility timeout.
   */
  private Duration receiveWait() {
    Duration wait = settings.receiveWait();
    Duration halfShutdown = settings.shutdownTimeout().dividedBy(2);
    if (halfShutdown.compareTo(wait) < 0) {
      wait = halfShutdown;
    }
    if (settings.exitWhenIdle().isPresent() && settings.exitWhenIdle().get().compareTo(wait) < 0) {
      wait = settings.exitWhenIdle().get();
    }
    return Duration.ofSeconds(Math.max(1, wait.toSeconds()));
  }

  private void markBusyOrIdle(boolean received) {
    Instant now = clock.instant();
    if (received || !inFlight.isEmpty()) {
      lastActivity = now;
      return;
    }
    if (settings.exitWhenIdle().isPresent()
        && Duration.between(lastActivity, now).compareTo(settings.exitWhenIdle().get()) >= 0
        && running
        && idleExitStarted.compareAndSet(false, true)) {
      log.info(
          "queue empty and nothing held for {}: exiting (--exit-when-idle)",
          Durations.format(settings.exitWhenIdle().get()));
      Thread t = new Thread(this::shutdown, "amifleet-idle-exit");
      t.setDaemon(true);
      t.start();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
