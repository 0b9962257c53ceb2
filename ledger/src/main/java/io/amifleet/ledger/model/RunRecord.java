package io.amifleet.ledger.model;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/**
 * A run as the ledger holds it: opened by the dispatcher, completed once (by whichever collector
 * gets there first).
 *
 * @param source where the targets came from
 * @param deadline when the run is completed even with jobs missing
 * @param dispatchedAt when the dispatcher recorded the jobs it sent; absent while they go out (a
 *     run is never complete before)
 * @param jobCounts jobs sent per "account/region"
 * @param completion absent while the run is open
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunRecord(
    String runId,
    String source,
    Instant startedAt,
    Instant deadline,
    Instant dispatchedAt,
    Map<String, Integer> jobCounts,
    Completion completion) {

  public RunRecord {
    requireNonNull(runId, "runId is null");
    requireNonNull(source, "source is null");
    requireNonNull(startedAt, "startedAt is null");
    requireNonNull(deadline, "deadline is null");
    jobCounts = jobCounts == null ? Map.of() : Map.copyOf(jobCounts);
  }

  public boolean completed() {
    return completion != null;
  }

  public int jobCount() {
    return jobCounts.values().stream().mapToInt(Integer::intValue).sum();
  }

  public RunRecord withDispatched(Instant at, Map<String, Integer> counts) {
    return new RunRecord(runId, source, startedAt, deadline, at, counts, completion);
  }

  public RunRecord withCompletion(Completion value) {
    return new RunRecord(runId, source, startedAt, deadline, dispatchedAt, jobCounts, value);
  }
}
