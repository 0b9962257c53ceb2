package io.amifleet.cli.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.cli.CliContext;
import io.amifleet.cli.options.AwsOptions;
import io.amifleet.cli.options.OutputOption;
import io.amifleet.cli.options.QueueOptions;
import io.amifleet.cli.output.Table;
import io.amifleet.common.config.ConfigException;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.queue.QueueAdmin;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code amifleet queues create}: the three queues of a prefix, for development and tests. */
@Command(
    name = "queues",
    mixinStandardHelpOptions = true,
    description =
        "Manage amifleet's SQS queues (production queues come from"
            + " infra/cloudformation/hub-stack.yaml).",
    subcommands = {QueuesCommand.Create.class})
public final class QueuesCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Create P-jobs, P-results and P-dlq, or bring existing ones to these settings: P-jobs"
            + " redrives to P-dlq after --max-receive-count receives. Says what it created or"
            + " changed; safe to repeat.",
        "-o json prints one document: {queues: [{name, url, action, changes}]}."
      })
  static final class Create implements Callable<Integer> {
    private final CliContext context;

    @Mixin AwsOptions aws;
    @Mixin QueueOptions.Prefix prefix;
    @Mixin OutputOption output;

    @Option(
        names = "--max-receive-count",
        paramLabel = "N",
        defaultValue = "5",
        description = "Receives before SQS moves a job to the DLQ (default: ${DEFAULT-VALUE}).")
    int maxReceiveCount;

    /** The flag's old name, kept working for one release. */
    @Option(names = "--prefix", paramLabel = "P", hidden = true)
    void legacyPrefix(String value) {
      context.err().println("amifleet: --prefix is now --queue-prefix (as for every command)");
      prefix.set(value);
    }

    Create(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      String p =
          prefix
              .get()
              .orElseThrow(
                  () ->
                      new ConfigException(
                          "--queue-prefix is required (or env AMIFLEET_QUEUE_PREFIX)"));
      if (!p.matches("[A-Za-z0-9_-]{1,70}")) {
        throw new ConfigException(
            "--queue-prefix '" + p + "': use 1-70 letters, digits, '-' or '_' (SQS queue names)");
      }
      if (maxReceiveCount < 1 || maxReceiveCount > 1000) {
        throw new ConfigException("--max-receive-count must be 1-1000 (SQS redrive policy)");
      }
      try (Closer closer = new Closer()) {
        var injector = context.bootstrap(closer, aws.settings()).start();
        QueueAdmin.Report report =
            injector.getInstance(QueueAdmin.class).ensure(p, maxReceiveCount);
        if (output.json()) {
          printJson(injector.getInstance(ObjectMapper.class), report);
        } else {
          printTable(report);
        }
        return 0;
      }
    }

    private void printTable(QueueAdmin.Report report) {
      Table t = new Table("QUEUE", "ACTION", "CHANGES", "URL");
      for (QueueAdmin.QueueChange q : report.queues()) {
        t.row(
            q.name(),
            q.action().name().toLowerCase(java.util.Locale.ROOT),
            q.changes().isEmpty() ? "-" : String.join("; ", q.changes()),
            q.url());
      }
      t.print(context.out());
      context
          .out()
          .printf(
              "%njobs redrive to the DLQ after %d receive(s)%s%n",
              maxReceiveCount, report.changed() ? "" : "; nothing changed");
    }

    private void printJson(ObjectMapper mapper, QueueAdmin.Report report) {
      ObjectNode root = mapper.createObjectNode();
      root.put("maxReceiveCount", maxReceiveCount);
      root.put("changed", report.changed());
      ArrayNode queues = root.putArray("queues");
      for (QueueAdmin.QueueChange q : report.queues()) {
        ObjectNode n = queues.addObject();
        n.put("name", q.name());
        n.put("url", q.url());
        n.put("action", q.action().name().toLowerCase(java.util.Locale.ROOT));
        ArrayNode changes = n.putArray("changes");
        q.changes().forEach(changes::add);
      }
      context.out().println(root.toString());
    }
  }
}
