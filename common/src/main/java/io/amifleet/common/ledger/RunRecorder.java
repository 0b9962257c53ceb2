package io.amifleet.common.ledger;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.PruneMessage;
import io.amifleet.common.message.WorkItem;
import java.time.Instant;
import java.util.List;

/**
 * Where the dispatcher says that a run started and which jobs it sent: the run ledger's writing
 * side as the dispatcher sees it. The ledger itself (DynamoDB, or a local file for {@code run})
 * lives in the ledger module; the dispatcher depends on this interface only, and without a ledger
 * configured it gets {@link #NONE}.
 *
 * <p>The run is opened <em>before</em> any job is sent, so that a collector never meets a result of
 * a run it does not know; the jobs are recorded after the queue accepted them, so that the run
 * expects only what was sent. Both are idempotent: dispatching the same run again changes nothing
 * but adds the jobs not sent the first time. Implementations are thread-safe.
 */
public interface RunRecorder {
  /** Records that the run started (no-op when it is already recorded). */
  void opened(RunOpening run);

  /** Records jobs the jobs queue accepted: the run is complete when each has a final result. */
  void dispatched(String runId, List<DispatchedJob> jobs);

  /** No ledger: nothing is recorded. */
  RunRecorder NONE =
      new RunRecorder() {
        @Override
        public void opened(RunOpening run) {}

        @Override
        public void dispatched(String runId, List<DispatchedJob> jobs) {}
      };

  /**
   * A run as the dispatcher opens it.
   *
   * @param source where the targets came from (a file path, or the organization)
   */
  record RunOpening(String runId, String source, Instant startedAt) {
    public RunOpening {
      requireNonNull(runId, "runId is null");
      requireNonNull(source, "source is null");
      requireNonNull(startedAt, "startedAt is null");
    }
  }

  /**
   * One job the jobs queue accepted.
   *
   * @param instanceId absent for a retention job
   * @param kind {@code "image"} or {@code "prune"}
   */
  record DispatchedJob(
      String jobId, String accountId, String region, String instanceId, String kind) {
    public DispatchedJob {
      requireNonNull(jobId, "jobId is null");
      requireNonNull(accountId, "accountId is null");
      requireNonNull(region, "region is null");
      requireNonNull(kind, "kind is null");
    }

    public static DispatchedJob of(WorkItem job) {
      if (job instanceof JobMessage j) {
        return new DispatchedJob(
            j.jobId(), j.accountId(), j.region(), j.instanceId(), JobMessage.KIND);
      }
      return new DispatchedJob(job.jobId(), job.accountId(), job.region(), null, PruneMessage.KIND);
    }
  }
}
