package io.amifleet.cli.command;

import io.amifleet.cli.CliContext;
import io.amifleet.cli.Logging;
import io.amifleet.cli.options.AwsOptions;
import io.amifleet.cli.options.LedgerOptions;
import io.amifleet.cli.options.OutputOption;
import io.amifleet.cli.options.ParallelismOption;
import io.amifleet.cli.options.QueueOptions;
import io.amifleet.cli.options.ReportOptions;
import io.amifleet.cli.options.RunIdOption;
import io.amifleet.cli.options.TargetsOption;
import io.amifleet.cli.run.SingleMachineRun;
import io.amifleet.common.config.ConfigException;
import io.amifleet.common.config.Targets;
import io.amifleet.common.queue.QueueSettings;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code amifleet run}: the whole pipeline in this process. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    defaultValueProvider = WorkerOptions.Defaults.class,
    description = {
      "Single-machine mode: dispatch and make the images in this process, over an embedded queue"
          + " (or real SQS queues when --queue-prefix or queue flags are given).",
      "Shows progress, prints a results table and exits 1 if any job failed or timed out. Ctrl-C"
          + " stops cleanly (exit 0 if every job finished in the grace period, 130 if some were"
          + " released); rerun with the same --run-id to finish (images already made are"
          + " adopted).",
      "The run is recorded in the run ledger (--ledger-table, else the local one in --ledger-dir):"
          + " amifleet runs list / runs show RUN; its report page is written when it completes.",
      "-o json prints one document at the end (the --report one): {runId, interrupted, totals,"
          + " accounts, results, apiCalls, unfinished}."
    })
public final class RunCommand implements Callable<Integer> {
  private final CliContext context;

  @Mixin AwsOptions aws;
  @Mixin QueueOptions.Prefix queuePrefix;
  @Mixin QueueOptions.Jobs jobsQueue;
  @Mixin QueueOptions.Results resultsQueue;
  @Mixin QueueOptions.DeadLetters dlqQueue;
  @Mixin OutputOption output;
  @Mixin WorkerOptions worker;

  @Mixin TargetsOption targets;

  @Option(
      names = "--workers",
      paramLabel = "N",
      defaultValue = "2",
      description =
          "Queue consumers in this process, each holding up to --concurrency jobs (default: ${DEFAULT-VALUE}).")
  int workers;

  @Mixin RunIdOption runId;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      description = "Also write the outcome as JSON to FILE.")
  Path report;

  @Mixin ParallelismOption parallelism;

  @Mixin LedgerOptions ledger;
  @Mixin LedgerOptions.Deadline deadline;
  @Mixin ReportOptions reports;

  @Option(
      names = "--embedded-queue",
      paramLabel = "in-process|elasticmq",
      defaultValue = "in-process",
      description =
          "The queue when no real queues are given: in this process's memory (default), or"
              + " ElasticMQ in this JVM over HTTP (the SQS protocol end to end; slower to start).")
  String embeddedQueue;

  @Option(names = "--stats", description = "Print AWS calls by operation (also in --report).")
  boolean stats;

  @Option(
      names = {"-v", "--verbose"},
      description = "Log every job (default: warnings only).")
  boolean verbose;

  RunCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() throws InterruptedException {
    String run = runId.resolve(context);
    int searches = parallelism.value();
    Targets loaded = targets.load(context, context.aws(aws.settings()));
    if (verbose) {
      Logging.verbose();
    } else {
      Logging.quiet();
    }
    SingleMachineRun.EmbeddedQueue engine = embeddedQueue(embeddedQueue);
    QueueSettings queues = QueueOptions.settings(queuePrefix, jobsQueue, resultsQueue, dlqQueue);
    var options =
        new SingleMachineRun.Options(
            loaded,
            run,
            worker.settings(null),
            workers,
            context.aws(aws.settings()),
            QueueOptions.anyGiven(queues) ? Optional.of(queues) : Optional.empty(),
            Optional.ofNullable(report),
            searches,
            stats,
            false,
            output.json());
    SingleMachineRun single =
        new SingleMachineRun(context)
            .withEmbeddedQueue(engine)
            .withLedger(ledger.settings(context.environment(), deadline.get()), reports.settings());
    if (!runId.given(context)) {
      single.withNewRunId();
    }
    AtomicBoolean interrupt = new AtomicBoolean();
    Signals.onTermination(single::notice, single::waitingFor, () -> interrupt.set(true));
    return single.execute(options, interrupt).exitCode();
  }

  private static SingleMachineRun.EmbeddedQueue embeddedQueue(String value) {
    return switch (value) {
      case "in-process" -> SingleMachineRun.EmbeddedQueue.IN_PROCESS;
      case "elasticmq" -> SingleMachineRun.EmbeddedQueue.ELASTICMQ;
      default ->
          throw new ConfigException(
              "--embedded-queue: '" + value + "' is not one of in-process, elasticmq");
    };
  }
}
