package io.amifleet.cli.command;

import io.amifleet.cli.options.DurationConverter;
import io.amifleet.common.config.ConfigException;
import io.amifleet.common.config.Durations;
import io.amifleet.common.message.Identifiers;
import io.amifleet.worker.WorkerSettings;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The worker's flags, shared by {@code worker} and {@code run}. Their defaults are {@link
 * WorkerSettings#defaults()}, read by {@link Defaults} (the commands name it as their default
 * provider), so help texts and behaviour cannot disagree.
 */
public final class WorkerOptions {
  @Option(
      names = "--concurrency",
      paramLabel = "N",
      description =
          "Jobs held at once per consumer, waiting images included (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--poll-interval",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "How often an account+region's waiting images are checked, with one DescribeImages for all"
              + " of them (default: ${DEFAULT-VALUE}).")
  Duration pollInterval;

  @Option(
      names = "--max-wait",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Wait this long for an image before the job ends TIMED_OUT (default: ${DEFAULT-VALUE}).")
  Duration maxWait;

  @Option(
      names = "--shutdown-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "On SIGTERM, let held jobs finish this long, then release the rest to other workers"
              + " (default: ${DEFAULT-VALUE}).")
  Duration shutdownTimeout;

  @Option(
      names = "--allow-account",
      paramLabel = "ID",
      split = ",",
      description =
          "Only act in these accounts; jobs for others go to the DLQ (default, without the option:"
              + " any).")
  List<String> allowAccounts;

  @Option(
      names = "--visibility-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Visibility set on receive and on each extension while waiting (default: ${DEFAULT-VALUE}).")
  Duration visibilityTimeout;

  @Option(
      names = "--create-rate",
      paramLabel = "PER_SECOND",
      description =
          "Client-side limit of CreateImage calls per account+region per second"
              + " (EC2 refills 5/s; default: ${DEFAULT-VALUE}).")
  double createRate;

  @Option(
      names = "--create-burst",
      paramLabel = "N",
      description =
          "CreateImage calls allowed at once before --create-rate applies (EC2: 50; default: ${DEFAULT-VALUE}).")
  int createBurst;

  /** The settings these flags give; a value the settings refuse is bad usage (exit 2). */
  WorkerSettings settings(Duration exitWhenIdle) {
    return settings(exitWhenIdle, null);
  }

  /**
   * As {@link #settings(Duration)}, with the worker command's long-poll wait ({@code null}: the
   * default).
   */
  WorkerSettings settings(Duration exitWhenIdle, Duration receiveWait) {
    WorkerSettings.Builder settings =
        WorkerSettings.builder()
            .concurrency(concurrency)
            .pollInterval(pollInterval)
            .maxWait(maxWait)
            .shutdownTimeout(shutdownTimeout)
            .exitWhenIdle(exitWhenIdle)
            .visibilityTimeout(visibilityTimeout)
            .mutationRate(createRate)
            .mutationBurst(createBurst);
    if (receiveWait != null) {
      settings.receiveWait(receiveWait);
    }
    if (allowAccounts != null) {
      // Given, it must name accounts: "," or "" would otherwise be an empty list, read as "any".
      if (allowAccounts.isEmpty()) {
        throw new ConfigException(
            "--allow-account: no account ID given; name the accounts, or leave the option out to"
                + " allow any");
      }
      for (String id : allowAccounts) {
        if (!Identifiers.ACCOUNT_ID.matcher(id.strip()).matches()) {
          throw new ConfigException("--allow-account: '" + id + "' is not a 12-digit account ID");
        }
      }
      settings.allowedAccounts(
          allowAccounts.stream().map(String::strip).collect(Collectors.toSet()));
    }
    try {
      return settings.build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /** The worker flags' defaults, from {@link WorkerSettings#defaults()}. */
  public static final class Defaults implements IDefaultValueProvider {
    @Override
    public String defaultValue(ArgSpec arg) {
      if (!(arg instanceof OptionSpec option)) {
        return null;
      }
      WorkerSettings d = WorkerSettings.defaults();
      return switch (option.longestName()) {
        case "--concurrency" -> String.valueOf(d.concurrency());
        case "--poll-interval" -> Durations.flag(d.pollInterval());
        case "--max-wait" -> Durations.flag(d.maxWait());
        case "--shutdown-timeout" -> Durations.flag(d.shutdownTimeout());
        case "--visibility-timeout" -> Durations.flag(d.visibilityTimeout());
        case "--create-rate" -> String.valueOf(d.mutationRate());
        case "--create-burst" -> String.valueOf(d.mutationBurst());
        case "--receive-wait" -> Durations.flag(d.receiveWait());
        default -> null;
      };
    }
  }
}
