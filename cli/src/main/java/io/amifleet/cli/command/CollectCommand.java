package io.amifleet.cli.command;

import io.amifleet.cli.CliContext;
import io.amifleet.cli.options.AwsOptions;
import io.amifleet.cli.options.DurationConverter;
import io.amifleet.cli.options.LedgerOptions;
import io.amifleet.cli.options.QueueOptions;
import io.amifleet.cli.options.ReportOptions;
import io.amifleet.common.config.ConfigException;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.ledger.LedgerModule;
import io.amifleet.ledger.RunLedger;
import io.amifleet.ledger.collect.Collector;
import io.amifleet.ledger.collect.CollectorModule;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code amifleet collect}: consume the results queue into the run ledger; complete runs. */
@Command(
    name = "collect",
    mixinStandardHelpOptions = true,
    description = {
      "Consume the results queue into the run ledger (one entry per job; a later SUCCEEDED"
          + " replaces a failure; redeliveries change nothing), complete each run when every job"
          + " it sent has a result or at its deadline, write its report and publish its summary.",
      "Messages that are not results of a known run are kept in the ledger as orphans"
          + " (amifleet runs orphans). Runs until stopped (SIGTERM, Ctrl-C) or --exit-when-idle."
    })
public final class CollectCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(CollectCommand.class);

  private final CliContext context;

  @Mixin AwsOptions aws;
  @Mixin QueueOptions.Prefix queuePrefix;
  @Mixin QueueOptions.Results resultsQueue;
  @Mixin QueueOptions.DeadLetters dlqQueue;
  @Mixin LedgerOptions ledger;
  @Mixin ReportOptions report;

  @Option(
      names = "--check-interval",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "30s",
      description =
          "Check a run whose results keep coming for completion at most this often (default:"
              + " ${DEFAULT-VALUE}); it is also checked whenever the queue runs dry.")
  Duration checkInterval;

  @Option(
      names = "--sweep-interval",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "5m",
      description = "Check every open run (deadlines) this often (default: ${DEFAULT-VALUE}).")
  Duration sweepInterval;

  @Option(
      names = "--visibility-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "60s",
      description =
          "A received result stays hidden this long while it is recorded; after a crash it comes"
              + " back then (default: ${DEFAULT-VALUE}).")
  Duration visibility;

  @Option(
      names = "--exit-when-idle",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description = "Exit after the queue has been empty for this long.")
  Duration exitWhenIdle;

  CollectCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (visibility.toSeconds() < 1 || visibility.toSeconds() > 43_200) {
      // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
      throw new ConfigException("--visibility-timeout must be 1s-12h (SQS's range)");
    }
    if (checkInterval.isNegative() || sweepInterval.isNegative()) {
      throw new ConfigException("--check-interval and --sweep-interval must not be negative");
    }
    var settings =
        new Collector.Settings(
            visibility,
            Duration.ofSeconds(20),
            checkInterval,
            sweepInterval,
            Optional.ofNullable(exitWhenIdle));
    try (Closer closer = new Closer()) {
      var injector =
          context
              .bootstrap(closer, aws.settings())
              .queues(QueueOptions.settings(queuePrefix, null, resultsQueue, dlqQueue))
              .install(
                  new LedgerModule(ledger.settings(context.environment()), report.settings()),
                  new CollectorModule(settings))
              .start();
      Collector collector = injector.getInstance(Collector.class);
      AtomicBoolean stop = new AtomicBoolean();
      Signals.onTermination(
          log::info,
          () -> "the results being recorded are finished, the rest stay on the queue",
          () -> stop.set(true));
      log.info("collecting results into {}", injector.getInstance(RunLedger.class).describe());
      Collector.Stats stats = collector.run(stop::get);
      context
          .err()
          .printf(
              "collected %d message(s): %d recorded, %d unchanged (already recorded), %d orphan(s);"
                  + " %d run(s) completed%n",
              stats.received(),
              stats.recorded(),
              stats.unchanged(),
              stats.orphans(),
              stats.completed());
      return 0;
    }
  }
}
