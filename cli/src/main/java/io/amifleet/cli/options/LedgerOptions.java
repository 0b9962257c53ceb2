package io.amifleet.cli.options;

import io.amifleet.common.config.ConfigException;
import io.amifleet.common.config.Environment;
import io.amifleet.ledger.LedgerSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Where the run ledger is: {@code --ledger-table} (the hub stack's DynamoDB table) or, without one,
 * the local ledger in {@code --ledger-dir}; and, for the commands that open runs, the deadline.
 */
public final class LedgerOptions {
  @Option(
      names = "--ledger-table",
      paramLabel = "NAME",
      defaultValue = "${env:AMIFLEET_LEDGER_TABLE}",
      description = "Run ledger DynamoDB table (env AMIFLEET_LEDGER_TABLE).")
  String table;

  @Option(
      names = "--ledger-dir",
      paramLabel = "DIR",
      defaultValue = "${env:AMIFLEET_LEDGER_DIR}",
      description =
          "Local run ledger when no table is given (env AMIFLEET_LEDGER_DIR; default"
              + " ~/.amifleet/runs).")
  Path directory;

  /** {@code --run-deadline}: for the commands that open runs ({@code dispatch}, {@code run}). */
  public static final class Deadline {
    @Option(
        names = "--run-deadline",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        defaultValue = "12h",
        description =
            "The run is complete this long after it started even with jobs missing, which are"
                + " named (default: ${DEFAULT-VALUE}).")
    Duration value;

    public Duration get() {
      return value;
    }
  }

  /** Whether a ledger was named (a table or a directory, by flag or environment). */
  public boolean given() {
    return (table != null && !table.isBlank()) || directory != null;
  }

  /** The ledger of a command that does not open runs (the deadline is the dispatcher's). */
  public LedgerSettings settings(Environment environment) {
    return settings(environment, LedgerSettings.DEFAULT_DEADLINE);
  }

  public LedgerSettings settings(Environment environment, Duration deadline) {
    if (table != null && table.isBlank()) {
      throw new ConfigException("--ledger-table is empty");
    }
    return new LedgerSettings(
        Optional.ofNullable(table).filter(t -> !t.isBlank()),
        directory != null ? directory : defaultDirectory(environment),
        deadline,
        LedgerSettings.DEFAULT_RETENTION);
  }

  /** ~/.amifleet/runs; without a HOME (a test's environment), under the temporary directory. */
  static Path defaultDirectory(Environment environment) {
    return environment
        .get("HOME")
        .map(home -> Path.of(home, ".amifleet", "runs"))
        .orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir"), "amifleet-runs"));
  }
}
