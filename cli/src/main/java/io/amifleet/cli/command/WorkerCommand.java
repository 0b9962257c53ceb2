package io.amifleet.cli.command;

import io.amifleet.cli.CliContext;
import io.amifleet.cli.metrics.EmfMetrics;
import io.amifleet.cli.options.AwsOptions;
import io.amifleet.cli.options.DurationConverter;
import io.amifleet.cli.options.MetricsOption;
import io.amifleet.cli.options.QueueOptions;
import io.amifleet.common.aws.ApiCallStats;
import io.amifleet.common.aws.Threads;
import io.amifleet.common.json.Json;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.worker.WorkerModule;
import io.amifleet.worker.WorkerSettings;
import io.amifleet.worker.lifecycle.Worker;
import io.amifleet.worker.outcome.WorkerEvents;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code amifleet worker}: consume jobs until stopped. Exits 0 after SIGTERM or Ctrl-C once held
 * jobs finished or were handed back (the fleet's normal stop, which ECS and systemd must not count
 * as a failure); 130 only on a second Ctrl-C, which quits without handing jobs back (they reappear
 * after their visibility timeout).
 */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    defaultValueProvider = WorkerOptions.Defaults.class,
    description = {
      "Consume jobs: assume the target role, create or adopt the image, wait until it is available,"
          + " publish the result. Runs until SIGTERM/Ctrl-C (or --exit-when-idle).",
      "Run as many as you like, on as many machines: a job is never imaged twice."
    })
public final class WorkerCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(WorkerCommand.class);

  private final CliContext context;

  @Mixin AwsOptions aws;
  @Mixin QueueOptions.Prefix queuePrefix;
  @Mixin QueueOptions.Jobs jobsQueue;
  @Mixin QueueOptions.Results resultsQueue;
  @Mixin QueueOptions.DeadLetters dlqQueue;
  @Mixin WorkerOptions options;
  @Mixin MetricsOption metrics;

  @Option(
      names = "--exit-when-idle",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description = "Exit after the queue has been empty and nothing was held for this long.")
  Duration exitWhenIdle;

  @Option(
      names = "--receive-wait",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description =
          "ReceiveMessage long-poll wait, 1s to 20s (default: ${DEFAULT-VALUE}). A stopping worker"
              + " lets its pending receive return, so that no job SQS hands it is hidden for the"
              + " visibility timeout: an idle worker takes up to this long to stop. Shorter stops"
              + " sooner, at the cost of more empty receives.")
  Duration receiveWait;

  WorkerCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() throws InterruptedException {
    WorkerSettings settings = options.settings(exitWhenIdle, receiveWait);
    List<WorkerEvents> listeners = new ArrayList<>(context.listeners());
    EmfMetrics emf =
        metrics.emf() ? new EmfMetrics(context.out(), Json.newMapper(), Clock.systemUTC()) : null;
    if (emf != null) {
      listeners.add(emf);
    }
    try (Closer closer = new Closer()) {
      var injector =
          context
              .bootstrap(closer, aws.settings())
              .queues(QueueOptions.settings(queuePrefix, jobsQueue, resultsQueue, dlqQueue))
              .install(new WorkerModule(settings, 1, WorkerEvents.all(listeners)))
              .start();
      Worker worker = injector.getInstance(Worker.class);
      if (emf != null) {
        ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Threads.named("amifleet-metrics"));
        closer.register("metrics timer", timer::shutdownNow);
        emf.reportThrottling(injector.getInstance(ApiCallStats.class), timer);
        closer.register(
            "metrics flush", () -> emf.flushThrottling(injector.getInstance(ApiCallStats.class)));
      }
      Signals.onTermination(log::info, worker::whatStoppingWaitsFor, worker::shutdown);
      worker.start();
      worker.awaitStopped();
      return 0;
    }
  }
}
