package io.amifleet.cli.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.cli.CliContext;
import io.amifleet.cli.Logging;
import io.amifleet.cli.options.AwsOptions;
import io.amifleet.cli.options.OutputOption;
import io.amifleet.cli.options.QueueOptions;
import io.amifleet.cli.options.RunIdOption;
import io.amifleet.cli.options.TargetsOption;
import io.amifleet.cli.output.Table;
import io.amifleet.cli.run.SingleMachineRun;
import io.amifleet.common.aws.RoleKey;
import io.amifleet.common.config.AccountTarget;
import io.amifleet.common.config.ConfigException;
import io.amifleet.common.config.OrganizationAccounts;
import io.amifleet.common.config.Targets;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.json.Json;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.message.Tags;
import io.amifleet.common.queue.QueueSender;
import io.amifleet.common.queue.QueueSettings;
import io.amifleet.dispatcher.Dispatcher;
import io.amifleet.dispatcher.DispatcherModule;
import io.amifleet.worker.ImageModule;
import io.amifleet.worker.WorkerSettings;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.image.ImageInfo;
import io.amifleet.worker.image.ImageService;
import io.amifleet.worker.prune.Pruner;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code amifleet prune}: apply the retention policies of targets.yaml. */
@Command(
    name = "prune",
    mixinStandardHelpOptions = true,
    description = {
      "Apply targets.yaml's retention policies: per instance, images amifleet made beyond"
          + " keepLast / maxAge are deregistered and then their snapshots deleted (a snapshot still"
          + " used by another image is left and reported). Images amifleet did not make are never"
          + " touched. An image still in use (an instance, a launch template, an Auto Scaling"
          + " group, a share, an SSM parameter) is kept, and so is every image a check that could"
          + " not run might have kept; deprecateAfter / deleteAfterDeprecation deprecate first.",
      "Runs as one job per account+region: in this process over an embedded queue, or, with"
          + " --queue-prefix or queue flags, on the fleet's queues (follow with 'amifleet results')."
          + " --dry-run lists what would go and changes nothing.",
      "-o json prints one document: the dry run's {images, snapshots, kept, bytesFreed,"
          + " wouldDelete[...], decisions[{imageId, action, why[...]}], checksNotRun[...]},"
          + " the run's summary (as 'run -o json'), or the jobs enqueued."
    })
public final class PruneCommand implements Callable<Integer> {
  private final CliContext context;

  @Mixin AwsOptions aws;
  @Mixin QueueOptions.Prefix queuePrefix;
  @Mixin QueueOptions.Jobs jobsQueue;
  @Mixin TargetsOption targets;
  @Mixin OutputOption output;

  @Option(
      names = "--dry-run",
      description = "List the images and snapshots that would go; change nothing.")
  boolean dryRun;

  @Mixin RunIdOption runId;

  PruneCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() throws InterruptedException {
    String run = runId.resolve(context);
    Targets loaded = targets.load(context, context.aws(aws.settings()));
    if (dryRun) {
      return plan(loaded);
    }
    QueueSettings queues = QueueOptions.settings(queuePrefix, jobsQueue, null, null);
    if (QueueOptions.anyGiven(queues)) {
      try (Closer closer = new Closer()) {
        var injector =
            context
                .bootstrap(closer, aws.settings())
                .queues(queues)
                .install(new DispatcherModule(DispatcherModule.DEFAULT_PARALLELISM))
                .start();
        Dispatcher dispatcher = injector.getInstance(Dispatcher.class);
        Dispatcher.Resolved resolved = dispatcher.resolvePrunes(loaded, run);
        requireRetention(loaded, resolved.prunes().size());
        QueueSender.Report report = dispatcher.enqueuePrunes(resolved);
        report
            .failures()
            .forEach(f -> context.err().println("amifleet: not enqueued: " + f.message()));
        if (output.json()) {
          ObjectNode root = Json.newMapper().createObjectNode();
          root.put("runId", run).put("dryRun", false).put("enqueued", report.sent());
          ArrayNode failures = root.putArray("failures");
          report.failures().forEach(f -> failures.add(f.message()));
          context.out().println(root.toString());
        } else {
          context
              .out()
              .printf(
                  "run %s: %d retention job(s) enqueued; follow with: amifleet results --run-id %s"
                      + " --expect %d%n",
                  run, report.sent(), run, report.sent());
        }
        return report.failures().isEmpty() ? 0 : 1;
      }
    }
    requireRetention(loaded, loaded.hasRetention() ? 1 : 0);
    Logging.quiet();
    var options =
        new SingleMachineRun.Options(
            loaded,
            run,
            WorkerSettings.defaults(),
            1,
            context.aws(aws.settings()),
            Optional.empty(),
            Optional.empty(),
            DispatcherModule.DEFAULT_PARALLELISM,
            false,
            true,
            output.json());
    SingleMachineRun prune = new SingleMachineRun(context);
    AtomicBoolean interrupt = new AtomicBoolean();
    Signals.onTermination(prune::notice, prune::waitingFor, () -> interrupt.set(true));
    return prune.execute(options, interrupt).exitCode();
  }

  private void requireRetention(Targets loaded, int jobs) {
    if (jobs == 0) {
      throw new ConfigException(
          loaded.source()
              + ": no account has a retention policy; add e.g. retention: {keepLast: 7, maxAge: 30d}"
              + " to defaults or to an account");
    }
  }

  /** {@code 8 GiB (8589934592 bytes)}; {@code unknown} for null. */
  static String bytes(Long bytes) {
    if (bytes == null) {
      return "unknown";
    }
    return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
  }

  /** Lists what would go, account by account, without changing anything. */
  private int plan(Targets loaded) {
    try (Closer closer = new Closer()) {
      var injector =
          context
              .bootstrap(closer, aws.settings())
              .install(new ImageModule(WorkerSettings.defaults()))
              .start();
      Targets expanded = injector.getInstance(OrganizationAccounts.class).expand(loaded);
      requireRetention(
          loaded,
          (int) expanded.accounts().stream().filter(a -> a.retention().isPresent()).count());
      ImageService images = injector.getInstance(ImageService.class);
      Pruner pruner = injector.getInstance(Pruner.class);
      // The plan a prune job would carry out, listed whole: every image of amifleet's, per
      // instance, kept, deprecated or deleted and why, then the snapshots that go.
      Table table =
          new Table("ACCOUNT", "REGION", "INSTANCE", "ACTION", "ID", "CREATED", "FREED", "WHY");
      ObjectMapper mapper = injector.getInstance(ObjectMapper.class);
      ArrayNode planned = mapper.createArrayNode();
      ArrayNode decisions = mapper.createArrayNode();
      ArrayNode keptSnapshots = mapper.createArrayNode();
      ArrayNode problems = mapper.createArrayNode();
      ArrayNode checksNotRun = mapper.createArrayNode();
      ArrayNode notes = mapper.createArrayNode();
      List<String> kept = new ArrayList<>();
      List<String> said = new ArrayList<>();
      int imageCount = 0;
      int snapshotCount = 0;
      int keptImages = 0;
      int deprecations = 0;
      int checkCalls = 0;
      long bytesFreed = 0;
      boolean failed = false;
      for (AccountTarget account : expanded.accounts()) {
        if (account.retention().isEmpty()) {
          continue;
        }
        for (String region : account.regions()) {
          Ec2Target target =
              new Ec2Target(
                  new RoleKey(account.roleArn(), account.externalId()), account.id(), region);
          String where = account.id() + "/" + region;
          try {
            Pruner.Plan plan =
                images
                    .ready(target)
                    .thenCompose(x -> pruner.plan(target, account.retention().get()))
                    .join();
            keptImages += plan.keep();
            imageCount += plan.images().size();
            snapshotCount += plan.snapshots().size();
            deprecations += plan.deprecations().size();
            checkCalls += plan.usage().calls();
            bytesFreed += plan.bytesFreed();
            for (Pruner.Decision d : plan.decisions()) {
              ImageInfo i = d.image();
              String action = d.action().name().toLowerCase(Locale.ROOT);
              List<String> snapshots = plan.snapshotsAfter().getOrDefault(i.imageId(), List.of());
              table.row(
                  account.id(),
                  region,
                  d.instanceId(),
                  action,
                  i.imageId(),
                  i.creationDate(),
                  d.action() == Pruner.Action.DELETE ? bytes(d.bytesFreed()) : "",
                  String.join("; ", d.why()));
              ObjectNode row =
                  decisions
                      .addObject()
                      .put("accountId", account.id())
                      .put("region", region)
                      .put("instanceId", d.instanceId())
                      .put("imageId", i.imageId())
                      .put("name", i.name())
                      .put("creationDate", String.valueOf(i.creationDate()))
                      .put("action", action);
              if (i.deprecationTime() != null) {
                row.put("deprecationTime", i.deprecationTime());
              }
              d.why().forEach(row.putArray("why")::add);
              if (d.action() == Pruner.Action.DELETE) {
                snapshots.forEach(row.putArray("snapshotIds")::add);
                if (d.bytesFreed() != null) {
                  row.put("bytesFreed", d.bytesFreed());
                }
              }
              if (d.action() != Pruner.Action.DELETE) {
                continue;
              }
              for (String snapshot : snapshots) {
                table.row(
                    account.id(), region, "", "delete", snapshot, "", "", "of " + i.imageId());
              }
              ObjectNode del =
                  planned
                      .addObject()
                      .put("kind", "image")
                      .put("accountId", account.id())
                      .put("region", region)
                      .put("instanceId", i.tags().get(Tags.SOURCE_INSTANCE))
                      .put("imageId", i.imageId())
                      .put("creationDate", String.valueOf(i.creationDate()))
                      .put("name", i.name());
              snapshots.forEach(del.putArray("snapshotIds")::add);
            }
            for (String orphan : plan.orphans()) {
              table.row(account.id(), region, "", "delete", orphan, "", "", "its image is gone");
              planned
                  .addObject()
                  .put("kind", "orphanSnapshot")
                  .put("accountId", account.id())
                  .put("region", region)
                  .put("snapshotId", orphan);
            }
            plan.keptSnapshots()
                .forEach(
                    k -> {
                      kept.add(where + ": kept " + k);
                      keptSnapshots.add(where + ": " + k);
                    });
            for (String n : plan.usage().notRun()) {
              said.add(where + ": " + n + " (every image it could keep was kept)");
              checksNotRun.add(where + ": " + n);
            }
            for (String n : plan.usage().notes()) {
              if (!said.contains(where + ": " + n)) {
                said.add(where + ": " + n);
                notes.add(where + ": " + n);
              }
            }
          } catch (RuntimeException e) {
            failed = true;
            String problem = where + ": " + AwsErrors.translate(e, "plan").getMessage();
            problems.add(problem);
            context.err().println("amifleet: " + problem);
          }
        }
      }
      if (output.json()) {
        ObjectNode root = mapper.createObjectNode();
        root.put("dryRun", true)
            .put("images", imageCount)
            .put("snapshots", snapshotCount)
            .put("kept", keptImages)
            .put("deprecated", deprecations)
            .put("bytesFreed", bytesFreed)
            .put("checkCalls", checkCalls);
        root.set("wouldDelete", planned);
        root.set("decisions", decisions);
        root.set("keptSnapshots", keptSnapshots);
        root.set("checksNotRun", checksNotRun);
        root.set("notes", notes);
        root.set("problems", problems);
        context.out().println(root.toString());
        return failed ? 1 : 0;
      }
      if (!table.isEmpty()) {
        table.print(context.out());
        context.out().println();
      }
      kept.forEach(context.out()::println);
      said.forEach(context.out()::println);
      context
          .out()
          .printf(
              "dry run: %d image(s) and %d snapshot(s) would be deleted (%s of snapshots freed"
                  + " where known); %d image(s) kept, %d of them deprecated; usage checks: %d API"
                  + " call(s); nothing was changed%n",
              imageCount, snapshotCount, bytes(bytesFreed), keptImages, deprecations, checkCalls);
      return failed ? 1 : 0;
    }
  }
}
