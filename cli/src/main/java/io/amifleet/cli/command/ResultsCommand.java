package io.amifleet.cli.command;

import io.amifleet.cli.CliContext;
import io.amifleet.cli.options.AwsOptions;
import io.amifleet.cli.options.DurationConverter;
import io.amifleet.cli.options.OutputOption;
import io.amifleet.cli.options.QueueOptions;
import io.amifleet.cli.output.ResultsTable;
import io.amifleet.common.config.ConfigException;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.queue.ResultsReader;
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
      "Read results from the results queue, de-duplicated by job ID, and print them.",
      "Stops when --expect distinct jobs were reported, on --timeout, or (without --expect) when the"
          + " queue stays empty for --idle. Exit 1 if any job failed or timed out, if fewer than"
          + " --expect results arrived, or if the queue held messages that are not results (they are"
          + " left there, never deleted).",
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
      names = "--keep",
      description =
          "Leave the results on the queue (default: delete what was read; messages that are not"
              + " results are never deleted).")
  boolean keep;

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
          new ResultsReader.Request(Optional.ofNullable(runId), expect, timeout, idle, !keep);
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
}
