package io.amifleet.cli.command;

import io.amifleet.cli.CliContext;
import io.amifleet.cli.options.AwsOptions;
import io.amifleet.cli.options.DurationConverter;
import io.amifleet.cli.options.LedgerOptions;
import io.amifleet.cli.options.OutputOption;
import io.amifleet.cli.options.QueueOptions;
import io.amifleet.cli.output.ResultsTable;
import io.amifleet.common.config.ConfigException;
import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.queue.ResultsReader;
import io.amifleet.ledger.RunLedger;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code amifleet results}: read the results queue. */
@Command(
    name = "results",
    mixinStandardHelpOptions = true,
    description = {
      "Read results from the results queue, de-duplicated by job ID, and print them. Reading does"
          + " not consume them unless --consume is given: what was read is visible again when"
          + " reading ends (for the collector, or the next reader).",
      "Stops when --expect distinct jobs were reported, on --timeout, or (without --expect) when the"
          + " queue stays empty for --idle. Exit 1 if any job failed or timed out, if fewer than"
          + " --expect results arrived, or if the queue held messages that are not results (they are"
          + " left there, never deleted). Exit 2 if --run-id names a run with no results that the"
          + " run ledger does not know either (a typo).",
      "-o json prints JSON Lines: one result object per line as it arrives."
    })
public final class ResultsCommand implements Callable<Integer> {
  private final CliContext context;

  @Mixin AwsOptions aws;
  @Mixin QueueOptions.Prefix queuePrefix;
  @Mixin QueueOptions.Results resultsQueue;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description = "Only this run's results (others stay on the queue).")
  String runId;

  @Option(
      names = "--expect",
      paramLabel = "N",
      defaultValue = "0",
      description = "Stop after N distinct jobs.")
  int expect;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "1h",
      description = "Give up after this long (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--idle",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "20s",
      description =
          "Without --expect: stop when no result came for this long (default: ${DEFAULT-VALUE}).")
  Duration idle;

  @Option(
      names = "--consume",
      description =
          "Delete the results read (the behaviour before the run ledger; default: leave them for"
              + " the collector). Messages that are not results are never deleted.")
  boolean consume;

  /** The old way to ask for what is now the default; accepted so that scripts keep working. */
  @Option(names = "--keep", hidden = true)
  boolean keep;

  @Mixin LedgerOptions ledger;

  @Mixin OutputOption output;

  ResultsCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (expect < 0) {
      throw new ConfigException("--expect must not be negative");
    }
    try (Closer closer = new Closer()) {
      var injector =
          context
              .bootstrap(closer, aws.settings())
              .queues(QueueOptions.settings(queuePrefix, null, resultsQueue, null))
              .start();
      MessageCodec codec = injector.getInstance(MessageCodec.class);
      ResultsReader.Request request =
          new ResultsReader.Request(
              Optional.ofNullable(runId), expect, timeout, idle, consume && !keep);
      ResultsReader.Collected collected =
          injector
              .getInstance(ResultsReader.class)
              .read(
                  request,
                  r -> {
                    if (output.json()) {
                      context.out().println(codec.encode(r));
                    }
                  });
      if (runId != null && collected.results().isEmpty()) {
        unknownRun(closer, collected);
      }
      if (!output.json()) {
        ResultsTable.print(collected.results(), context.out());
      }
      if (collected.notResults() > 0) {
        context
            .err()
            .printf(
                "amifleet: %d message(s) on the results queue are not results; they were left"
                    + " there, not deleted (is --results-queue the jobs queue?)%n",
                collected.notResults());
      }
      if (collected.timedOut()) {
        context
            .err()
            .printf(
                "amifleet: timed out after %s with %d of %d result(s)%n",
                ResultsTable.format(timeout), collected.results().size(), expect);
        return 1;
      }
      return collected.allSucceeded() && collected.notResults() == 0 ? 0 : 1;
    }
  }

  /**
   * A run ID with no results: an error (exit 2) unless the run ledger knows the run (its results
   * may all have been collected). Names the recent runs, and the other runs seen on the queue.
   */
  private void unknownRun(Closer closer, ResultsReader.Collected collected) {
    RunLedger runs;
    try {
      runs = RunsCommand.ledger(context, closer, aws, ledger).getInstance(RunLedger.class);
    } catch (AmiFleetException e) {
      // No ledger to ask (e.g. its table is not there): say what the queue showed.
      throw new ConfigException(
          "no results of run "
              + runId
              + " on the queue ("
              + e.getMessage()
              + ")"
              + seenOnQueue(collected));
    }
    if (runs.run(runId).isEmpty()) {
      throw new ConfigException(RunsCommand.noSuchRun(runs, runId) + seenOnQueue(collected));
    }
    context
        .err()
        .printf(
            "amifleet: no results of run %s on the queue now; its ledger entry: amifleet runs show"
                + " %s%n",
            runId, runId);
  }

  private static String seenOnQueue(ResultsReader.Collected collected) {
    return collected.otherRuns().isEmpty()
        ? ""
        : "; runs with results on the queue: "
            + String.join(", ", collected.otherRuns().stream().sorted().limit(5).toList());
  }
}
