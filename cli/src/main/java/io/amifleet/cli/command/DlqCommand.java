package io.amifleet.cli.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.cli.CliContext;
import io.amifleet.cli.inject.Injectors;
import io.amifleet.cli.options.AwsOptions;
import io.amifleet.cli.options.OutputFormat;
import io.amifleet.cli.options.QueueOptions;
import io.amifleet.cli.output.Table;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.message.Identifiers;
import io.amifleet.worker.dlq.DeadLetter;
import io.amifleet.worker.dlq.DeadLetters;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code amifleet dlq list|replay}: inspect the dead-letter queue and replay it. */
@Command(
    name = "dlq",
    description = "Inspect the dead-letter queue, and replay it after fixing the cause.",
    subcommands = {DlqCommand.List.class, DlqCommand.Replay.class})
public final class DlqCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  private static com.google.inject.Injector injector(
      CliContext context, Closer closer, AwsOptions aws, QueueOptions queues) {
    return Injectors.create(
        context.environment(),
        closer,
        context.aws(aws.settings()),
        queues.settings(),
        binder -> binder.bind(DeadLetters.class));
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "Show what is in the DLQ (account, region, instance, error, receives, when); leaves it there.")
  static final class List implements Callable<Integer> {
    private final CliContext context;

    @Mixin AwsOptions aws;
    @Mixin QueueOptions queues;

    @Option(
        names = "--max",
        paramLabel = "N",
        defaultValue = "100",
        description = "At most this many messages (default: ${DEFAULT-VALUE}).")
    int max;

    @Option(
        names = "--output",
        paramLabel = "table|json",
        defaultValue = "table",
        description = "table or json, one object per line (default: ${DEFAULT-VALUE}).")
    OutputFormat output;

    List(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      if (max < 1) {
        throw new IllegalArgumentException("--max must be positive");
      }
      try (Closer closer = new Closer()) {
        var injector = injector(context, closer, aws, queues);
        java.util.List<DeadLetter> letters = injector.getInstance(DeadLetters.class).list(max);
        if (output == OutputFormat.json) {
          ObjectMapper mapper = injector.getInstance(ObjectMapper.class);
          letters.forEach(d -> context.out().println(json(mapper, d)));
        } else {
          print(letters, context);
          context.out().printf("%d message(s) shown; nothing was moved%n", letters.size());
        }
        return 0;
      }
    }
  }

  @Command(
      name = "replay",
      mixinStandardHelpOptions = true,
      description = {
        "Move DLQ messages back to the jobs queue (after fixing the cause). Each is deleted from the"
            + " DLQ only after the jobs queue accepted its copy. Jobs whose image was made are"
            + " adopted, not made twice."
      })
  static final class Replay implements Callable<Integer> {
    private final CliContext context;

    @Mixin AwsOptions aws;
    @Mixin QueueOptions queues;

    @Option(names = "--account", paramLabel = "ID", description = "Only jobs of this account.")
    String account;

    @Option(
        names = "--error-code",
        paramLabel = "C",
        description = "Only messages that failed with this error code.")
    String errorCode;

    @Option(
        names = "--max",
        paramLabel = "N",
        defaultValue = "1000",
        description = "Move at most this many (default: ${DEFAULT-VALUE}).")
    int max;

    @Option(names = "--dry-run", description = "Say what would move; move nothing.")
    boolean dryRun;

    @Option(
        names = "--all",
        description =
            "Move everything with SQS's StartMessageMoveTask where the endpoint supports it"
                + " (else one by one).")
    boolean all;

    Replay(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      if (account != null && !Identifiers.ACCOUNT_ID.matcher(account).matches()) {
        throw new IllegalArgumentException(
            "--account: '" + account + "' is not a 12-digit account ID");
      }
      if (max < 1) {
        throw new IllegalArgumentException("--max must be positive");
      }
      if (all && (account != null || errorCode != null || dryRun)) {
        throw new IllegalArgumentException(
            "--all moves everything: it cannot be combined with filters or --dry-run");
      }
      try (Closer closer = new Closer()) {
        DeadLetters dlq = injector(context, closer, aws, queues).getInstance(DeadLetters.class);
        if (all) {
          Optional<Long> moved = dlq.moveAll(Duration.ofMinutes(10));
          if (moved.isPresent()) {
            context
                .out()
                .printf(
                    "moved %d message(s) back to the jobs queue with an SQS move task%n",
                    moved.get());
            return 0;
          }
        }
        Predicate<DeadLetter> filter = d -> true;
        if (account != null) {
          filter = filter.and(d -> d.accountId().map(account::equals).orElse(false));
        }
        if (errorCode != null) {
          filter = filter.and(d -> d.errorCode().equals(errorCode));
        }
        DeadLetters.ReplayReport report = dlq.replay(filter, max, dryRun);
        if (dryRun) {
          print(report.matched(), context);
          context
              .out()
              .printf(
                  "dry run: %d message(s) would move; nothing was moved%n",
                  report.matched().size());
          return 0;
        }
        report.failures().forEach(f -> context.err().println("amifleet: " + f));
        context
            .out()
            .printf(
                "moved %d message(s) back to the jobs queue; %d stayed in the DLQ%n",
                report.moved(), report.stayed());
        return report.failures().isEmpty() ? 0 : 1;
      }
    }
  }

  private static void print(java.util.List<DeadLetter> letters, CliContext context) {
    Table t =
        new Table(
            "FAILED AT", "ACCOUNT", "REGION", "INSTANCE", "ERROR CODE", "RECEIVES", "MESSAGE");
    for (DeadLetter d : letters) {
      t.row(
          d.failedAt().orElse("-"),
          d.accountId().orElse("-"),
          d.job().map(j -> j.region()).orElse("-"),
          d.job().map(j -> j.instanceId()).orElse("-"),
          d.errorCode(),
          d.receiveCount().orElse("-"),
          abbreviate(
              d.errorMessage().isEmpty()
                  ? d.job().isEmpty() ? "body: " + d.shownBody() : "-"
                  : d.errorMessage(),
              120));
    }
    if (!t.isEmpty()) {
      t.print(context.out());
    }
  }

  private static String json(ObjectMapper mapper, DeadLetter d) {
    ObjectNode n = mapper.createObjectNode();
    n.put("messageId", d.messageId());
    d.accountId().ifPresent(a -> n.put("accountId", a));
    d.job()
        .ifPresent(
            j ->
                n.put("region", j.region())
                    .put("instanceId", j.instanceId())
                    .put("jobId", j.jobId())
                    .put("runId", j.runId()));
    n.put("errorCode", d.errorCode());
    n.put("errorMessage", d.errorMessage());
    d.receiveCount().ifPresent(c -> n.put("receiveCount", c));
    d.failedAt().ifPresent(f -> n.put("failedAt", f));
    if (d.job().isEmpty()) {
      n.put("body", d.shownBody());
    }
    return n.toString();
  }

  private static String abbreviate(String s, int max) {
    String one = s.replace('\n', ' ');
    return one.length() <= max ? one : one.substring(0, max - 1) + "…";
  }
}
