package io.amifleet.ledger.model;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.message.JobStatus;
import io.amifleet.common.message.ResultMessage;
import java.util.Comparator;
import java.util.List;

/**
 * A run with all its jobs, as read from the ledger: what the report, the completion check and
 * {@code runs show} work from. Jobs are ordered by account, region and instance.
 */
public record RunView(RunRecord run, List<JobEntry> jobs) {
  public RunView {
    requireNonNull(run, "run is null");
    jobs =
        jobs.stream()
            .sorted(
                Comparator.comparing(JobEntry::accountId)
                    .thenComparing(JobEntry::region)
                    .thenComparing(j -> j.instanceId() == null ? "" : j.instanceId())
                    .thenComparing(JobEntry::jobId))
            .toList();
  }

  /** Dispatched jobs that have no result yet. */
  public List<JobEntry> missing() {
    return jobs.stream().filter(j -> j.result() == null).toList();
  }

  public RunCounts counts() {
    int succeeded = 0;
    int failed = 0;
    int timedOut = 0;
    int missing = 0;
    int adopted = 0;
    int created = 0;
    for (JobEntry j : jobs) {
      ResultMessage r = j.result();
      if (r == null) {
        missing++;
        continue;
      }
      switch (r.status()) {
        case SUCCEEDED -> succeeded++;
        case FAILED -> failed++;
        case TIMED_OUT -> timedOut++;
      }
      if (r.status() == JobStatus.SUCCEEDED && r.adopted() != null) {
        if (r.adopted()) {
          adopted++;
        } else {
          created++;
        }
      }
    }
    return new RunCounts(jobs.size(), succeeded, failed, timedOut, missing, adopted, created);
  }
}
