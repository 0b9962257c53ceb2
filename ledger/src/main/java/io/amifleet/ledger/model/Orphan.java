package io.amifleet.ledger.model;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A message of the results queue that the ledger could not file under a run: not JSON, of a schema
 * version this collector does not read, not a result, or a result of a run the ledger does not
 * know. Kept (never dropped) and reported by {@code runs orphans}; keyed by the SQS message ID, so
 * that a redelivery keeps it once. The body is kept in the ledger for whoever investigates, and
 * never printed or logged.
 *
 * @param runId the run the body names, when it could be read
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Orphan(
    String messageId, Instant receivedAt, String reason, String runId, String body) {
  public Orphan {
    requireNonNull(messageId, "messageId is null");
    requireNonNull(receivedAt, "receivedAt is null");
    requireNonNull(reason, "reason is null");
    requireNonNull(body, "body is null");
  }
}
