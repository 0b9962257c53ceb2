package io.amifleet.cli.command;

import io.amifleet.cli.options.DurationConverter;
import io.amifleet.common.message.Identifiers;
import io.amifleet.worker.WorkerSettings;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/** The worker's flags, shared by {@code worker} and {@code run}. */
public final class WorkerOptions {
  @Option(
      names = "--concurrency",
      paramLabel = "N",
      defaultValue = "" + WorkerSettings.DEFAULT_CONCURRENCY,
      description =
          "Jobs held at once per consumer, waiting images included (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--poll-interval",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "15s",
      description =
          "How often an account+region's waiting images are checked, with one DescribeImages for all"
              + " of them (default: ${DEFAULT-VALUE}).")
  Duration pollInterval;

  @Option(
      names = "--max-wait",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "4h",
      description =
          "Wait this long for an image before the job ends TIMED_OUT (default: ${DEFAULT-VALUE}).")
  Duration maxWait;

  @Option(
      names = "--shutdown-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "30s",
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
      defaultValue = "5m",
      description =
          "Visibility set on receive and on each extension while waiting (default: ${DEFAULT-VALUE}).")
  Duration visibilityTimeout;

  @Option(
      names = "--create-rate",
      paramLabel = "PER_SECOND",
      defaultValue = "" + WorkerSettings.DEFAULT_MUTATION_RATE,
      description =
          "Client-side limit of CreateImage calls per account+region per second"
              + " (EC2 refills 5/s; default: ${DEFAULT-VALUE}).")
  double createRate;

  @Option(
      names = "--create-burst",
      paramLabel = "N",
      defaultValue = "" + WorkerSettings.DEFAULT_MUTATION_BURST,
      description =
          "CreateImage calls allowed at once before --create-rate applies (EC2: 50; default: ${DEFAULT-VALUE}).")
  int createBurst;

  WorkerSettings settings(Duration exitWhenIdle) {
    WorkerSettings settings = WorkerSettings.defaults();
    if (allowAccounts != null) {
      // Given, it must name accounts: "," or "" would otherwise be an empty list, read as "any".
      if (allowAccounts.isEmpty()) {
        throw new IllegalArgumentException(
            "--allow-account: no account ID given; name the accounts, or leave the option out to"
                + " allow any");
      }
      for (String id : allowAccounts) {
        if (!Identifiers.ACCOUNT_ID.matcher(id.strip()).matches()) {
          throw new IllegalArgumentException(
              "--allow-account: '" + id + "' is not a 12-digit account ID");
        }
      }
      settings =
          settings.withAllowedAccounts(
              allowAccounts.stream().map(String::strip).collect(Collectors.toSet()));
    }
    return settings
        .withConcurrency(concurrency)
        .withPollInterval(pollInterval)
        .withMaxWait(maxWait)
        .withShutdownTimeout(shutdownTimeout)
        .withExitWhenIdle(exitWhenIdle)
        .withVisibilityTimeout(visibilityTimeout)
        .withMutationLimit(createRate, createBurst);
  }
}
