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
import io.amifleet.common.json.Json;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.message.Identifiers;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.PruneMessage;
import io.amifleet.common.message.WorkItem;
import io.amifleet.common.queue.QueueSettings;
import io.amifleet.worker.dlq.DeadLetter;
import io.amifleet.worker.dlq.DeadLetters;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code amifleet dlq list|replay}: inspect the dead-letter queue and replay it. */
@Command(
    name = "dlq",
    mixinStandardHelpOptions = true,
    description = "Inspect the dead-letter queue, and replay it after fixing the cause.",
    subcommands = {DlqCommand.List.class, DlqCommand.Replay.class})
public final class DlqCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  private static DeadLetters deadLetters(
      CliContext context, Closer closer, AwsOptions aws, QueueSettings queues) {
    return context
        .bootstrap(closer, aws.settings())
        .queues(queues)
        .install(binder -> binder.bind(DeadLetters.class))
        .start()
        .getInstance(DeadLetters.class);
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "Show what is in the DLQ (run, account, region, instance, error, receives, when); leaves it"
            + " there.",
        "-o json prints JSON Lines: one object per message."
      })
  static final class List implements Callable<Integer> {
    private final CliContext context;

    @Mixin AwsOptions aws;
    @Mixin QueueOptions.Prefix queuePrefix;
    @Mixin QueueOptions.DeadLetters dlqQueue;
    @Mixin OutputOption output;

    @Option(
        names = "--max",
        paramLabel = "N",
        defaultValue = "100",
        description = "At most this many messages (default: ${DEFAULT-VALUE}).")
    int max;

    List(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      if (max < 1) {
        throw new ConfigException("--max must be positive");
      }
      try (Closer closer = new Closer()) {
        java.util.List<DeadLetter> letters =
            deadLetters(
                    context, closer, aws, QueueOptions.settings(queuePrefix, null, null, dlqQueue))
                .list(max);
        if (output.json()) {
          ObjectMapper mapper = Json.newMapper();
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
            + " adopted, not made twice. Messages that cannot be read as jobs stay (they would only"
            + " fail again) unless --include-unreadable.",
        "-o json prints one document: {dryRun, moved, stayed, skippedUnreadable, failures,"
            + " messages (dry run)}."
      })
  static final class Replay implements Callable<Integer> {
    private final CliContext context;

    @Mixin AwsOptions aws;
    @Mixin QueueOptions.Prefix queuePrefix;
    @Mixin QueueOptions.Jobs jobsQueue;
    @Mixin QueueOptions.DeadLetters dlqQueue;
    @Mixin OutputOption output;

    @Option(names = "--account", paramLabel = "ID", description = "Only jobs of this account.")
    String account;

    @Option(
        names = "--error-code",
        paramLabel = "C",
        description = "Only messages that failed with this error code (any case).")
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
        names = "--include-unreadable",
        description =
            "Also move messages that cannot be read as jobs (not JSON, unknown version); they go"
                + " back to the DLQ as poison unless a newer worker reads them.")
    boolean includeUnreadable;

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
        throw new ConfigException("--account: '" + account + "' is not a 12-digit account ID");
      }
      if (max < 1) {
        throw new ConfigException("--max must be positive");
      }
      if (all && (account != null || errorCode != null || dryRun)) {
        throw new ConfigException(
            "--all moves everything: it cannot be combined with filters or --dry-run");
      }
      ObjectMapper mapper = Json.newMapper();
      try (Closer closer = new Closer()) {
        DeadLetters dlq =
            deadLetters(
                context,
                closer,
                aws,
                QueueOptions.settings(queuePrefix, jobsQueue, null, dlqQueue));
        if (all) {
          Optional<Long> moved = dlq.moveAll(Duration.ofMinutes(10));
          if (moved.isPresent()) {
            if (output.json()) {
              ObjectNode root = mapper.createObjectNode();
              root.put("dryRun", false).put("moveTask", true).put("moved", moved.get());
              context.out().println(root.toString());
            } else {
              context
                  .out()
                  .printf(
                      "moved %d message(s) back to the jobs queue with an SQS move task%n",
                      moved.get());
            }
            return 0;
          }
        }
        Predicate<DeadLetter> filter = d -> true;
        if (account != null) {
          filter = filter.and(d -> d.accountId().map(account::equals).orElse(false));
        }
        if (errorCode != null) {
          filter = filter.and(d -> d.errorCode().equalsIgnoreCase(errorCode));
        }
        DeadLetters.ReplayReport report = dlq.replay(filter, max, dryRun, includeUnreadable);
        String hint = hint(report);
        if (output.json()) {
          printJson(mapper, report, hint);
        } else {
          printText(report, hint);
        }
        return dryRun || report.failures().isEmpty() ? 0 : 1;
      }
    }

    /** When a code filter matched nothing: the codes that are there. */
    private String hint(DeadLetters.ReplayReport report) {
      if (errorCode == null || !report.matched().isEmpty() || report.errorCodes().isEmpty()) {
        return null;
      }
      return "no message has error code '"
          + errorCode
          + "'; codes in the DLQ: "
          + report.errorCodes().entrySet().stream()
              .map(e -> e.getKey() + " (" + e.getValue() + ")")
              .collect(Collectors.joining(", "));
    }

    private void printText(DeadLetters.ReplayReport report, String hint) {
      var out = context.out();
      if (dryRun) {
        print(report.matched(), context);
        out.printf(
            "dry run: %d message(s) would move; nothing was moved%n", report.matched().size());
      } else {
        report.failures().forEach(f -> context.err().println("amifleet: " + f));
        out.printf(
            "moved %d message(s) back to the jobs queue; %d stayed in the DLQ%n",
            report.moved(), report.stayed());
      }
      if (report.skippedUnreadable() > 0) {
        out.printf(
            "%d message(s) cannot be read as jobs and were left in the DLQ (see 'amifleet dlq"
                + " list'); --include-unreadable moves them too%n",
            report.skippedUnreadable());
      }
      if (hint != null) {
        out.println(hint);
      }
    }

    private void printJson(ObjectMapper mapper, DeadLetters.ReplayReport report, String hint) {
      ObjectNode root = mapper.createObjectNode();
      root.put("dryRun", dryRun);
      root.put("matched", report.matched().size());
      root.put("moved", report.moved());
      root.put("stayed", report.stayed());
      root.put("skippedUnreadable", report.skippedUnreadable());
      ArrayNode failures = root.putArray("failures");
      report.failures().forEach(failures::add);
      ObjectNode codes = root.putObject("errorCodes");
      report.errorCodes().forEach(codes::put);
      if (hint != null) {
        root.put("hint", hint);
      }
      if (dryRun) {
        ArrayNode messages = root.putArray("messages");
        report.matched().forEach(d -> messages.add(json(mapper, d)));
      }
      context.out().println(root.toString());
    }
  }

  private static void print(java.util.List<DeadLetter> letters, CliContext context) {
    Table t =
        new Table(
            "FAILED AT",
            "RUN",
            "ACCOUNT",
            "REGION",
            "INSTANCE",
            "ERROR CODE",
            "RECEIVES",
            "MESSAGE");
    for (DeadLetter d : letters) {
      t.row(
          d.failedAt().orElse("-"),
          d.work().map(WorkItem::runId).orElse("-"),
          d.accountId().orElse("-"),
          d.work().map(WorkItem::region).orElse("-"),
          d.work().map(DlqCommand::subject).orElse("-"),
          d.errorCode(),
          d.receiveCount().isPresent() ? d.receiveCount().getAsInt() : "-",
          abbreviate(
              d.errorMessage().isEmpty()
                  ? d.readable() ? "-" : "body: " + d.shownBody()
                  : d.errorMessage(),
              120));
    }
    if (!t.isEmpty()) {
      t.print(context.out());
    }
  }

  /** What a work item is about: an instance, or "retention" for a prune job. */
  private static String subject(WorkItem w) {
    if (w instanceof JobMessage j) {
      return j.instanceId();
    }
    return w instanceof PruneMessage ? "(retention)" : "-";
  }

  private static ObjectNode json(ObjectMapper mapper, DeadLetter d) {
    ObjectNode n = mapper.createObjectNode();
    n.put("messageId", d.messageId());
    d.accountId().ifPresent(a -> n.put("accountId", a));
    d.work()
        .ifPresent(
            w -> {
              n.put("kind", w instanceof PruneMessage ? "prune" : "image");
              n.put("region", w.region()).put("jobId", w.jobId()).put("runId", w.runId());
              if (w instanceof JobMessage j) {
                n.put("instanceId", j.instanceId());
              }
            });
    n.put("errorCode", d.errorCode());
    n.put("errorMessage", d.errorMessage());
    d.receiveCount().ifPresent(c -> n.put("receiveCount", c));
    d.failedAt().ifPresent(f -> n.put("failedAt", f));
    n.put("readable", d.readable());
    if (!d.readable()) {
      n.put("body", d.shownBody());
    }
    return n;
  }

  private static String abbreviate(String s, int max) {
    String one = s.replace('\n', ' ');
    return one.length() <= max ? one : one.substring(0, max - 1) + "…";
  }
}
