package io.amifleet.worker.testing;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.common.message.WorkItem;
import io.amifleet.worker.outcome.WorkerEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Records worker events as short lines ({@code "finished <jobId> SUCCEEDED"}, {@code "dlq
 * <errorCode>"}, ...) and the retry delays. Thread-safe.
 */
public final class RecordingEvents implements WorkerEvents {
  private final List<String> entries = new ArrayList<>();
  private final List<Duration> retryDelays = new ArrayList<>();

  @Override
  public synchronized void jobStarted(WorkItem job, int attempt) {
    entries.add("started " + job.jobId() + " " + attempt);
  }

  @Override
  public synchronized void imageRequested(JobMessage job, String imageId, boolean adopted) {
    entries.add((adopted ? "adopted " : "created ") + job.jobId() + " " + imageId);
  }

  @Override
  public synchronized void jobFinished(ResultMessage result) {
    entries.add("finished " + result.jobId() + " " + result.status());
  }

  @Override
  public synchronized void jobRetrying(WorkItem job, AmiFleetException error, Duration delay) {
    entries.add("retrying " + job.jobId() + " " + error.errorCode());
    retryDelays.add(delay);
  }

  @Override
  public synchronized void movedToDeadLetter(String errorCode, String reason) {
    entries.add("dlq " + errorCode);
  }

  public synchronized List<String> entries() {
    return List.copyOf(entries);
  }

  public synchronized List<Duration> retryDelays() {
    return List.copyOf(retryDelays);
  }
}
