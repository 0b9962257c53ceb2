package io.amifleet.cli.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.cli.CliContext;
import io.amifleet.cli.metrics.EmfMetrics;
import io.amifleet.cli.options.AwsOptions;
import io.amifleet.cli.options.LedgerOptions;
import io.amifleet.cli.options.MetricsOption;
import io.amifleet.cli.options.OutputOption;
import io.amifleet.cli.options.ParallelismOption;
import io.amifleet.cli.options.QueueOptions;
import io.amifleet.cli.options.RunIdOption;
import io.amifleet.cli.options.TargetsOption;
import io.amifleet.cli.output.Table;
import io.amifleet.common.config.Targets;
import io.amifleet.common.json.Json;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.message.JobMessage;
import io.amifleet.dispatcher.DispatchReport;
import io.amifleet.dispatcher.Dispatcher;
import io.amifleet.dispatcher.DispatcherModule;
import io.amifleet.ledger.LedgerModule;
import io.amifleet.ledger.ReportSettings;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code amifleet dispatch}: resolve targets.yaml and enqueue one job per instance. */
@Command(
    name = "dispatch",
    mixinStandardHelpOptions = true,
    description = {
      "Find the instances targets.yaml names (assuming each account's role) and enqueue one job"
          + " per instance.",
      "Accounts and regions are searched in parallel; one that cannot be reached is reported and"
          + " does not stop the others (exit 1).",
      "-o json prints one document: {runId, dryRun, jobCount, enqueued, ok, accounts[...], jobs[...]"
          + " (dry run)}."
    })
public final class DispatchCommand implements Callable<Integer> {
  private final CliContext context;

  @Mixin AwsOptions aws;
  @Mixin QueueOptions.Prefix queuePrefix;
  @Mixin QueueOptions.Jobs jobsQueue;
  @Mixin MetricsOption metrics;

  @Mixin TargetsOption targets;

  @Mixin RunIdOption runId;

  @Option(names = "--dry-run", description = "Print the jobs; send nothing.")
  boolean dryRun;

  @Mixin OutputOption output;

  @Mixin ParallelismOption parallelism;

  @Mixin LedgerOptions ledger;
  @Mixin LedgerOptions.Deadline deadline;

  DispatchCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    String run = runId.resolve(context);
    int searches = parallelism.value();
    Targets loaded = targets.load(context, context.aws(aws.settings()));
    try (Closer closer = new Closer()) {
      var bootstrap =
          context
              .bootstrap(closer, aws.settings())
              .queues(QueueOptions.settings(queuePrefix, jobsQueue, null, null))
              .install(new DispatcherModule(searches));
      if (ledger.given()) {
        // The run goes in the ledger: opened before the first job is sent, its jobs after.
        bootstrap.install(
            new LedgerModule(
                ledger.settings(context.environment(), deadline.get()), ReportSettings.local()));
      }
      var injector = bootstrap.start();
      DispatchReport report = injector.getInstance(Dispatcher.class).dispatch(loaded, run, dryRun);

      if (output.json()) {
        printJson(injector.getInstance(ObjectMapper.class), report);
      } else {
        printTable(report);
      }
      if (metrics.emf() && !dryRun) {
        // After the summary, so that --output json stays the first line.
        new EmfMetrics(context.out(), injector.getInstance(ObjectMapper.class), Clock.systemUTC())
            .dispatched(report.enqueuedCount());
      }
      return report.ok() ? 0 : 1;
    }
  }

  private void printTable(DispatchReport report) {
    var out = context.out();
    if (report.dryRun()) {
      Table jobs = new Table("ACCOUNT", "REGION", "INSTANCE", "IMAGE NAME", "JOB ID");
      for (JobMessage j : report.jobs()) {
        jobs.row(j.accountId(), j.region(), j.instanceId(), j.imageName(), j.jobId());
      }
      if (!jobs.isEmpty()) {
        jobs.print(out);
        out.println();
      }
    }
    Table accounts =
        new Table(
            "ACCOUNT",
            "NAME",
            "REGIONS",
            "INSTANCES",
            report.dryRun() ? "WOULD SEND" : "ENQUEUED",
            "PROBLEMS");
    for (DispatchReport.AccountSummary a : report.accounts()) {
      List<String> problems = new ArrayList<>(a.errors());
      a.missing().forEach(id -> problems.add("not found: " + id));
      a.skipped().forEach(s -> problems.add("not imaged: " + s));
      accounts.row(
          a.accountId(),
          a.name(),
          String.join(",", a.regions()),
          a.instances(),
          report.dryRun() ? a.instances() : a.enqueued(),
          problems.isEmpty() ? "-" : problems.get(0));
      for (int i = 1; i < problems.size(); i++) {
        accounts.row("", "", "", "", "", problems.get(i));
      }
    }
    accounts.print(out);
    out.println();
    if (report.dryRun()) {
      out.printf(
          "run %s: dry run, %d job(s) built, nothing sent%n", report.runId(), report.jobCount());
    } else {
      out.printf(
          "run %s: %d of %d job(s) enqueued%s%s%n",
          report.runId(),
          report.enqueuedCount(),
          report.jobCount(),
          report.prunes().isEmpty() ? "" : ", and " + report.prunesEnqueued() + " retention job(s)",
          report.ok() ? "" : "; some accounts or instances have problems (see above)");
      report.pruneErrors().forEach(e -> out.println("  " + e));
    }
  }

  private void printJson(ObjectMapper mapper, DispatchReport report) {
    ObjectNode root = mapper.createObjectNode();
    root.put("runId", report.runId());
    root.put("dryRun", report.dryRun());
    root.put("jobCount", report.jobCount());
    root.put("enqueued", report.enqueuedCount());
    root.put("pruneJobs", report.prunes().size());
    root.put("prunesEnqueued", report.prunesEnqueued());
    root.put("ok", report.ok());
    ArrayNode accounts = root.putArray("accounts");
    for (DispatchReport.AccountSummary a : report.accounts()) {
      accounts.add(mapper.valueToTree(a));
    }
    if (report.dryRun()) {
      // For people: the display view leaves the ExternalId out.
      root.set("jobs", Json.displayTree(mapper, report.jobs()));
    }
    context.out().println(root.toString());
  }
}
