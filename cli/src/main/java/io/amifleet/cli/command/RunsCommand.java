package io.amifleet.cli.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.inject.Injector;
import io.amifleet.cli.CliContext;
import io.amifleet.cli.options.AwsOptions;
import io.amifleet.cli.options.DurationConverter;
import io.amifleet.cli.options.LedgerOptions;
import io.amifleet.cli.output.ResultsTable;
import io.amifleet.cli.output.Table;
import io.amifleet.common.config.ConfigException;
import io.amifleet.common.inject.Bootstrap;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.ledger.LedgerModule;
import io.amifleet.ledger.LedgerSettings;
import io.amifleet.ledger.ReportSettings;
import io.amifleet.ledger.RunLedger;
import io.amifleet.ledger.model.JobEntry;
import io.amifleet.ledger.model.Orphan;
import io.amifleet.ledger.model.RunCounts;
import io.amifleet.ledger.model.RunRecord;
import io.amifleet.ledger.model.RunView;
import io.amifleet.ledger.report.ReportRenderer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code amifleet runs list|show|open|orphans}: what the run ledger holds. */
@Command(
    name = "runs",
    mixinStandardHelpOptions = true,
    description =
        "What the run ledger holds: runs, their jobs and reports, and orphan results (the ledger"
            + " table with --ledger-table, else the local one that `run` writes).",
    subcommands = {
      RunsCommand.ListRuns.class,
      RunsCommand.Show.class,
      RunsCommand.Open.class,
      RunsCommand.Orphans.class
    })
public final class RunsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The ledger's injector: AWS credentials are checked only when the ledger is in DynamoDB. */
  static Injector ledger(CliContext context, Closer closer, AwsOptions aws, LedgerOptions options) {
    LedgerSettings settings = options.settings(context.environment());
    Bootstrap bootstrap =
        settings.table().isPresent()
            ? context.bootstrap(closer, aws.settings())
            : Bootstrap.of(context.environment(), closer).aws(context.aws(aws.settings()));
    return bootstrap.install(new LedgerModule(settings, ReportSettings.local())).start();
  }

  /** The run, or exit 2 naming the recent runs. */
  static RunView find(RunLedger ledger, String runId) {
    return ledger.run(runId).orElseThrow(() -> new ConfigException(noSuchRun(ledger, runId)));
  }

  /** "no such run X in LEDGER; recent runs: a, b, c" (the message of exit 2). */
  public static String noSuchRun(RunLedger ledger, String runId) {
    List<String> recent =
        ledger.runs(Instant.now().minus(Duration.ofDays(30))).stream()
            .limit(5)
            .map(RunRecord::runId)
            .toList();
    return "no such run "
        + runId
        + " in "
        + ledger.describe()
        + "; recent runs: "
        + (recent.isEmpty() ? "none" : String.join(", ", recent));
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "Runs started within --since, newest first, with their counts.",
        "-o json prints one array of {runId, source, startedAt, deadline, complete, counts}."
      })
  static final class ListRuns implements Callable<Integer> {
    private final CliContext context;

    @Mixin AwsOptions aws;
    @Mixin LedgerOptions ledgerOptions;

    @Option(
        names = "--since",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        defaultValue = "7d",
        description = "Runs started within this long (default: ${DEFAULT-VALUE}).")
    Duration since;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "table|json",
        defaultValue = "table",
        description = "table or json (default: ${DEFAULT-VALUE}).")
    String output;

    ListRuns(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      if (!List.of("table", "json").contains(output)) {
        throw new ConfigException("--output must be table or json, not " + output);
      }
      try (Closer closer = new Closer()) {
        RunLedger ledger = ledger(context, closer, aws, ledgerOptions).getInstance(RunLedger.class);
        Instant from = Instant.now().minus(since);
        List<RunRecord> runs = ledger.runs(from);
        ObjectMapper mapper = new ObjectMapper();
        ArrayNode json = mapper.createArrayNode();
        Table table =
            new Table(
                "RUN", "STARTED", "STATE", "JOBS", "SUCCEEDED", "FAILED", "TIMED OUT", "MISSING");
        for (RunRecord r : runs) {
          // An open run's counts come from its jobs; a completed one's were kept at completion.
          RunCounts c =
              r.completed()
                  ? r.completion().counts()
                  : ledger.run(r.runId()).map(RunView::counts).orElse(null);
          String state = r.completed() ? "complete" : "open";
          if (c == null) {
            continue;
          }
          table.row(
              r.runId(),
              r.startedAt(),
              state,
              c.jobs(),
              c.succeeded(),
              c.failed(),
              c.timedOut(),
              c.missing());
          ObjectNode o = json.addObject();
          o.put("runId", r.runId());
          o.put("source", r.source());
          o.put("startedAt", r.startedAt().toString());
          o.put("deadline", r.deadline().toString());
          o.put("complete", r.completed());
          o.set("counts", mapper.valueToTree(c));
        }
        if (output.equals("json")) {
          context.out().println(json);
        } else if (table.isEmpty()) {
          context
              .out()
              .printf("no runs since %s in %s%n", ResultsTable.format(since), ledger.describe());
        } else {
          table.print(context.out());
        }
        int orphans = ledger.orphans(from).size();
        if (orphans > 0) {
          context
              .err()
              .printf(
                  "amifleet: %d orphan result(s) (not results of a known run) in %s: amifleet runs"
                      + " orphans%n",
                  orphans, ResultsTable.format(since));
        }
        return 0;
      }
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = {
        "One run: its jobs and counts. -o json prints the report's data; -o html writes the report"
            + " page and prints its path.",
        "Exit 2 if the ledger has no such run."
      })
  static final class Show implements Callable<Integer> {
    private final CliContext context;

    @Mixin AwsOptions aws;
    @Mixin LedgerOptions ledgerOptions;

    @Parameters(paramLabel = "RUN", description = "The run ID.")
    String runId;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "table|json|html",
        defaultValue = "table",
        description = "table, json or html (default: ${DEFAULT-VALUE}).")
    String output;

    @Option(
        names = "--file",
        paramLabel = "FILE",
        description = "With -o html: write the page here (default: beside the local ledger).")
    Path file;

    Show(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      if (!List.of("table", "json", "html").contains(output)) {
        throw new ConfigException("--output must be table, json or html, not " + output);
      }
      try (Closer closer = new Closer()) {
        Injector injector = ledger(context, closer, aws, ledgerOptions);
        RunLedger ledger = injector.getInstance(RunLedger.class);
        RunView view = find(ledger, runId);
        ReportRenderer renderer = injector.getInstance(ReportRenderer.class);
        switch (output) {
          case "json" ->
              context.out().println(renderer.data(view, Optional.empty()).toPrettyString());
          case "html" -> context.out().println(writePage(injector, view, file));
          default -> print(view);
        }
        return 0;
      }
    }

    private void print(RunView view) {
      var out = context.out();
      RunRecord r = view.run();
      RunCounts c = view.counts();
      out.printf(
          "run %s (targets %s), started %s, %s%n",
          r.runId(),
          r.source(),
          r.startedAt(),
          r.completed()
              ? "complete " + r.completion().completedAt() + " (" + r.completion().reason() + ")"
              : "open until " + r.deadline());
      Table t = new Table("ACCOUNT", "REGION", "INSTANCE", "STATUS", "IMAGE", "ERROR");
      for (JobEntry j : view.jobs()) {
        var res = j.result();
        t.row(
            j.accountId(),
            j.region(),
            j.instanceId() == null ? "(retention)" : j.instanceId(),
            res == null ? "MISSING" : res.status(),
            res == null || res.imageId() == null ? "-" : res.imageId(),
            res == null || res.errorCode() == null ? "-" : res.errorCode());
      }
      if (!t.isEmpty()) {
        t.print(out);
      }
      out.printf(
          "%d job(s): %d succeeded, %d failed, %d timed out, %d missing%n",
          c.jobs(), c.succeeded(), c.failed(), c.timedOut(), c.missing());
      if (r.completed() && r.completion().report() != null) {
        out.println("report: " + r.completion().report());
      }
    }
  }

  /**
   * The run's page: the one written when it completed, when that is a local file (it also has the
   * run's AWS calls, which only the writer knew); else written now to {@code file} (default: the
   * local ledger's run directory) from what the ledger holds.
   */
  static Path writePage(Injector injector, RunView view, Path file) {
    var completion = view.run().completion();
    if (file == null
        && completion != null
        && completion.report() != null
        && !completion.report().startsWith("s3://")
        && Files.isRegularFile(Path.of(completion.report()))) {
      return Path.of(completion.report()).toAbsolutePath();
    }
    ReportRenderer renderer = injector.getInstance(ReportRenderer.class);
    LedgerSettings settings = injector.getInstance(LedgerSettings.class);
    Path page =
        file != null
            ? file
            : settings.directory().resolve(view.run().runId()).resolve("report.html");
    try {
      Path parent = page.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(page, renderer.html(renderer.data(view, Optional.empty())));
    } catch (IOException e) {
      throw new ConfigException("cannot write " + page + ": " + e.getMessage());
    }
    return page.toAbsolutePath();
  }

  @Command(
      name = "open",
      mixinStandardHelpOptions = true,
      description =
          "Write the run's report page and open it in a browser where one exists (xdg-open or"
              + " open); otherwise print its path.")
  static final class Open implements Callable<Integer> {
    private final CliContext context;

    @Mixin AwsOptions aws;
    @Mixin LedgerOptions ledgerOptions;

    @Parameters(paramLabel = "RUN", description = "The run ID.")
    String runId;

    Open(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() throws InterruptedException {
      try (Closer closer = new Closer()) {
        Injector injector = ledger(context, closer, aws, ledgerOptions);
        RunView view = find(injector.getInstance(RunLedger.class), runId);
        Path page = writePage(injector, view, null);
        for (String opener : List.of("xdg-open", "open")) {
          Optional<Path> found = onPath(opener);
          if (found.isPresent() && context.terminal()) {
            try {
              new ProcessBuilder(found.get().toString(), page.toString())
                  .inheritIO()
                  .start()
                  .waitFor();
              context.out().println(page);
              return 0;
            } catch (IOException e) {
              break;
            }
          }
        }
        context.out().println(page);
        return 0;
      }
    }

    private Optional<Path> onPath(String program) {
      return context
          .environment()
          .get("PATH")
          .flatMap(
              path ->
                  List.of(path.split(java.io.File.pathSeparator)).stream()
                      .map(d -> Path.of(d, program))
                      .filter(Files::isExecutable)
                      .findFirst());
    }
  }

  @Command(
      name = "orphans",
      mixinStandardHelpOptions = true,
      description =
          "Messages of the results queue that the collector kept because they are not results of a"
              + " known run (not JSON, an unknown schema version, an unknown run). Bodies are not"
              + " printed.")
  static final class Orphans implements Callable<Integer> {
    private final CliContext context;

    @Mixin AwsOptions aws;
    @Mixin LedgerOptions ledgerOptions;

    @Option(
        names = "--since",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        defaultValue = "7d",
        description = "Received within this long (default: ${DEFAULT-VALUE}).")
    Duration since;

    Orphans(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      try (Closer closer = new Closer()) {
        RunLedger ledger = ledger(context, closer, aws, ledgerOptions).getInstance(RunLedger.class);
        List<Orphan> orphans = ledger.orphans(Instant.now().minus(since));
        Table t = new Table("MESSAGE ID", "RECEIVED", "RUN", "REASON");
        orphans.forEach(
            o ->
                t.row(
                    o.messageId(),
                    o.receivedAt(),
                    o.runId() == null ? "-" : o.runId(),
                    o.reason()));
        if (!t.isEmpty()) {
          t.print(context.out());
        }
        context
            .out()
            .printf("%d orphan result(s) in %s%n", orphans.size(), ResultsTable.format(since));
        return 0;
      }
    }
  }
}
