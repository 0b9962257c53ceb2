package io.amifleet.cli.options;

import io.amifleet.common.config.ConfigException;
import io.amifleet.dispatcher.DispatcherModule;
import picocli.CommandLine.Option;

/** {@code --parallelism} of the commands that search the targets' accounts (dispatch, run). */
public final class ParallelismOption {
  @Option(
      names = "--parallelism",
      paramLabel = "N",
      defaultValue = "" + DispatcherModule.DEFAULT_PARALLELISM,
      description = "Accounts and regions searched at once (default: ${DEFAULT-VALUE}).")
  int parallelism;

  /** The value given, checked: bad usage (exit 2) outside 1-256. */
  public int value() {
    if (parallelism < 1 || parallelism > 256) {
      throw new ConfigException("--parallelism must be 1-256");
    }
    return parallelism;
  }
}
