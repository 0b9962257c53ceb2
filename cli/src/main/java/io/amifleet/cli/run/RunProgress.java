package io.amifleet.cli.run;

import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.JobStatus;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.common.message.WorkItem;
import io.amifleet.worker.outcome.WorkerEvents;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a single-machine run has done so far, fed by the in-process workers' events (and by the
 * results queue when other workers may take jobs). Counts each job once, by job ID; a later
 * SUCCEEDED replaces an earlier failure. Thread-safe.
 */
public final class RunProgress implements WorkerEvents {
  private final Clock clock;
  private final Instant startedAt;
  private final Map<String, ResultMessage> finished = new LinkedHashMap<>();
  private final Set<String> waiting = ConcurrentHashMap.newKeySet();
  private int expected;

  /** A consistent view for the display. */
  public record Snapshot(
      int expected,
      int done,
      long succeeded,
      long failed,
      long timedOut,
      int waiting,
      Duration elapsed) {
    public double ratePerSecond() {
      double s = elapsed.toMillis() / 1000.0;
      return s <= 0 ? 0 : done / s;
    }
  }

  public RunProgress(Clock clock) {
    this.clock = clock;
    this.startedAt = clock.instant();
  }

  public synchronized void expect(int jobs) {
    expected = jobs;
    notifyAll();
  }

  @Override
  public void imageRequested(JobMessage job, String imageId, boolean adopted) {
    waiting.add(job.jobId());
  }

  @Override
  public void jobRetrying(
      WorkItem job, io.amifleet.common.error.AmiFleetException error, Duration delay) {
    waiting.remove(job.jobId());
  }

  @Override
  public void jobFinished(ResultMessage result) {
    record(result);
  }

  /** Records a result; returns true when it is new or changed the job's status. */
  public synchronized boolean record(ResultMessage result) {
    waiting.remove(result.jobId());
    ResultMessage previous = finished.get(result.jobId());
    if (previous != null && (previous.succeeded() || !result.succeeded())) {
      return false;
    }
    finished.put(result.jobId(), result);
    notifyAll();
    return true;
  }

  /** Waits up to {@code timeout} for every expected job to have a result; true when they all do. */
  public synchronized boolean awaitAllFor(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (finished.size() < expected) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  /** Whether at least {@code jobs} jobs have a result (e.g. every image job, before retention). */
  public synchronized boolean finishedAtLeast(int jobs) {
    return finished.size() >= jobs;
  }

  public synchronized List<ResultMessage> results() {
    return new ArrayList<>(finished.values());
  }

  public synchronized Snapshot snapshot() {
    long ok = 0;
    long failed = 0;
    long timedOut = 0;
    for (ResultMessage r : finished.values()) {
      if (r.status() == JobStatus.SUCCEEDED) {
        ok++;
      } else if (r.status() == JobStatus.TIMED_OUT) {
        timedOut++;
      } else {
        failed++;
      }
    }
    return new Snapshot(
        expected,
        finished.size(),
        ok,
        failed,
        timedOut,
        waiting.size(),
        Duration.between(startedAt, clock.instant()));
  }

  public Instant startedAt() {
    return startedAt;
  }
}
