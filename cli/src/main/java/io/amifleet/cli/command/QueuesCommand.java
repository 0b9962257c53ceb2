package io.amifleet.cli.command;

import io.amifleet.cli.CliContext;
import io.amifleet.cli.inject.Injectors;
import io.amifleet.cli.options.AwsOptions;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.queue.QueueAdmin;
import io.amifleet.common.queue.QueueSettings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code amifleet queues create}: the three queues of a prefix, for development and tests. */
@Command(
    name = "queues",
    description =
        "Manage amifleet's SQS queues (production queues come from infra/hub-stack.yaml).",
    subcommands = {QueuesCommand.Create.class})
public final class QueuesCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Create P-jobs, P-results and P-dlq; P-jobs redrives to P-dlq after --max-receive-count"
              + " receives. Safe to repeat.")
  static final class Create implements Callable<Integer> {
    private final CliContext context;

    @Mixin AwsOptions aws;

    @Option(
        names = "--prefix",
        required = true,
        paramLabel = "P",
        description = "Queue name prefix.")
    String prefix;

    @Option(
        names = "--max-receive-count",
        paramLabel = "N",
        defaultValue = "5",
        description = "Receives before SQS moves a job to the DLQ (default: ${DEFAULT-VALUE}).")
    int maxReceiveCount;

    Create(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      if (!prefix.matches("[A-Za-z0-9_-]{1,70}")) {
        throw new IllegalArgumentException(
            "--prefix must be 1-70 letters, digits, '-' or '_' (SQS queue names)");
      }
      try (Closer closer = new Closer()) {
        var injector =
            Injectors.create(
                context.environment(),
                closer,
                context.aws(aws.settings()),
                QueueSettings.ofPrefix(prefix));
        QueueAdmin.QueueUrls urls =
            injector.getInstance(QueueAdmin.class).create(prefix, maxReceiveCount);
        context.out().println("jobs     " + urls.jobs());
        context.out().println("results  " + urls.results());
        context
            .out()
            .println(
                "dlq      "
                    + urls.dlq()
                    + "  (jobs redrive here after "
                    + maxReceiveCount
                    + " receives)");
        return 0;
      }
    }
  }
}
