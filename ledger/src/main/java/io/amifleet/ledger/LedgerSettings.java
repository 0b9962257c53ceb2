package io.amifleet.ledger;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the run ledger is and how long runs last in it.
 *
 * @param table the DynamoDB table (fleet mode); empty: the local ledger in {@code directory}
 * @param directory the local ledger (single-machine mode, a laptop)
 * @param deadline how long after it started a run is completed even with jobs missing
 * @param retention how long the ledger keeps a run (DynamoDB's TTL deletes it after)
 */
public record LedgerSettings(
    Optional<String> table, Path directory, Duration deadline, Duration retention) {

  public static final Duration DEFAULT_DEADLINE = Duration.ofHours(12);
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(90);

  public LedgerSettings {
    requireNonNull(table, "table is null");
    requireNonNull(directory, "directory is null");
    requireNonNull(deadline, "deadline is null");
    requireNonNull(retention, "retention is null");
    if (deadline.isNegative() || deadline.isZero()) {
      throw new ConfigException("--run-deadline must be positive");
    }
    if (retention.compareTo(Duration.ofDays(1)) < 0) {
      throw new ConfigException("--ledger-retention must be at least 1d");
    }
  }

  public String describe() {
    return table.map(t -> "DynamoDB table " + t).orElse(directory.toString());
  }
}
