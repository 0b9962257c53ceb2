package io.amifleet.cli.options;

import io.amifleet.cli.CliContext;
import io.amifleet.common.config.ConfigException;
import io.amifleet.common.message.Identifiers;
import io.amifleet.common.message.JobIds;
import java.time.Clock;
import picocli.CommandLine.Option;

/**
 * {@code --run-id}, env AMIFLEET_RUN_ID: the run the jobs belong to. The job IDs derive from it, so
 * reusing a run ID re-sends the same jobs, which adopt the images already made. The hub stack's
 * schedule sets the variable to the scheduled time, so that a schedule delivered twice cannot make
 * a second set of images.
 */
public final class RunIdOption {
  static final String VARIABLE = "AMIFLEET_RUN_ID";

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description =
          "Run ID (env AMIFLEET_RUN_ID; default: a new time-based one). Reusing an ID re-sends"
              + " the same jobs, which adopt the images already made.")
  String runId;

  /** Whether a run ID was given (the option or the variable), rather than made. */
  public boolean given(CliContext context) {
    return givenId(context) != null;
  }

  private String givenId(CliContext context) {
    return runId != null
        ? runId
        : context.environment().get(VARIABLE).filter(s -> !s.isBlank()).orElse(null);
  }

  /** The given run ID, else a new time-based one; a malformed one is a configuration error. */
  public String resolve(CliContext context) {
    String given = givenId(context);
    if (given == null) {
      return JobIds.newRunId(Clock.systemUTC());
    }
    if (!Identifiers.PLAIN_ID.matcher(given).matches()) {
      throw new ConfigException(
          "--run-id (or "
              + VARIABLE
              + ") '"
              + given
              + "': use 1-128 letters, digits, '.', '_', ':' or '-'");
    }
    return given;
  }
}
