package io.amifleet.ledger.model;

/**
 * A run's jobs by status. Always computed from the job items (never kept as counters beside them),
 * so that a redelivered result or a collector that died between two writes cannot make them
 * disagree.
 *
 * @param jobs jobs sent, plus results of jobs the run did not record as sent
 * @param missing jobs with no final result yet (at completion by deadline: never finished)
 */
public record RunCounts(
    int jobs, int succeeded, int failed, int timedOut, int missing, int adopted, int created) {

  public boolean anyUnsuccessful() {
    return failed > 0 || timedOut > 0 || missing > 0;
  }
}
