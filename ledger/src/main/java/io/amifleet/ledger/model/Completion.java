package io.amifleet.ledger.model;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * How a run ended: every job it sent has a final result, or its deadline passed first.
 *
 * @param missing the jobs without a final result at the deadline, as "account/region/instance"
 * @param report where the run's report was written (an {@code s3://} URI or a file path)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Completion(
    Instant completedAt, Reason reason, RunCounts counts, List<String> missing, String report) {

  /** Why the run was completed. */
  public enum Reason {
    ALL_FINISHED,
    DEADLINE
  }

  public Completion {
    requireNonNull(completedAt, "completedAt is null");
    requireNonNull(reason, "reason is null");
    requireNonNull(counts, "counts is null");
    missing = missing == null ? List.of() : List.copyOf(missing);
  }
}
