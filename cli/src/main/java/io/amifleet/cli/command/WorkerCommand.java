package io.amifleet.cli.command;

import io.amifleet.cli.CliContext;
import io.amifleet.cli.inject.Injectors;
import io.amifleet.cli.options.AwsOptions;
import io.amifleet.cli.options.DurationConverter;
import io.amifleet.cli.options.QueueOptions;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.worker.WorkerModule;
import io.amifleet.worker.WorkerSettings;
import io.amifleet.worker.lifecycle.Worker;
import io.amifleet.worker.outcome.WorkerEvents;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code amifleet worker}: consume jobs until stopped. */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = {
      "Consume jobs: assume the target role, create or adopt the image, wait until it is available,"
          + " publish the result. Runs until SIGTERM/Ctrl-C (or --exit-when-idle).",
      "Run as many as you like, on as many machines: a job is never imaged twice."
    })
public final class WorkerCommand implements Callable<Integer> {
  private final CliContext context;

  @Mixin AwsOptions aws;
  @Mixin QueueOptions queues;
  @Mixin WorkerOptions options;

  @Option(
      names = "--exit-when-idle",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description = "Exit after the queue has been empty and nothing was held for this long.")
  Duration exitWhenIdle;

  WorkerCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() throws InterruptedException {
    WorkerSettings settings = options.settings(exitWhenIdle);
    try (Closer closer = new Closer()) {
      var injector =
          Injectors.create(
              context.environment(),
              closer,
              context.aws(aws.settings()),
              queues.settings(),
              new WorkerModule(settings, 1, WorkerEvents.all(context.listeners())));
      Worker worker = injector.getInstance(Worker.class);
      Signals.onTermination(worker::shutdown);
      worker.start();
      worker.awaitStopped();
      return 0;
    }
  }
}
