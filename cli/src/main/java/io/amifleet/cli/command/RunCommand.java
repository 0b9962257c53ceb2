package io.amifleet.cli.command;

import io.amifleet.cli.CliContext;
import io.amifleet.cli.Logging;
import io.amifleet.cli.options.AwsOptions;
import io.amifleet.cli.options.QueueOptions;
import io.amifleet.cli.options.RunIdOption;
import io.amifleet.cli.options.TargetsOption;
import io.amifleet.cli.run.SingleMachineRun;
import io.amifleet.common.config.Targets;
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
    description = {
      "Single-machine mode: dispatch and make the images in this process, over an embedded queue"
          + " (or real SQS queues when --queue-prefix or queue flags are given).",
      "Shows progress, prints a results table and exits 1 if any job failed or timed out. Ctrl-C"
          + " stops cleanly; rerun with the same --run-id to finish (images already made are"
          + " adopted)."
    })
public final class RunCommand implements Callable<Integer> {
  private final CliContext context;

  @Mixin AwsOptions aws;
  @Mixin QueueOptions queues;
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

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      defaultValue = "16",
      description = "Accounts and regions searched at once (default: ${DEFAULT-VALUE}).")
  int parallelism;

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
    Targets loaded = targets.load(context, context.aws(aws.settings()));
    if (verbose) {
      Logging.verbose();
    } else {
      Logging.quiet();
    }
    var options =
        new SingleMachineRun.Options(
            loaded,
            run,
            worker.settings(null),
            workers,
            context.aws(aws.settings()),
            queues.anyGiven() ? Optional.of(queues.settings()) : Optional.empty(),
            Optional.ofNullable(report),
            parallelism,
            stats,
            false);
    AtomicBoolean interrupt = new AtomicBoolean();
    Signals.onTermination(() -> interrupt.set(true));
    return new SingleMachineRun(context).execute(options, interrupt).exitCode();
  }
}
