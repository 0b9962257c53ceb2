package io.amifleet.cli.command;

import io.amifleet.cli.CliContext;
import io.amifleet.cli.Logging;
import io.amifleet.cli.options.DurationConverter;
import io.amifleet.cli.run.SingleMachineRun;
import io.amifleet.common.aws.AwsSettings;
import io.amifleet.common.config.Environment;
import io.amifleet.common.config.Targets;
import io.amifleet.common.config.TargetsLoader;
import io.amifleet.common.message.JobIds;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.emulator.DemoScenario;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.MotoLauncher;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.realistic.ProxyStats;
import io.amifleet.emulator.realistic.RealismSettings;
import io.amifleet.emulator.realistic.Rule;
import io.amifleet.worker.WorkerSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code amifleet demo}: the whole pipeline against a local emulator, no AWS account needed. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Show the whole pipeline without an AWS account: start a local AWS emulator (moto) behind the"
          + " realistic EC2 layer, seed a hub and three production accounts in two regions, write"
          + " the demo's targets.yaml, run it with progress, print the results and stop the"
          + " emulator."
    })
public final class DemoCommand implements Callable<Integer> {
  static final String REGION = "us-east-1";
  static final String EXTERNAL_ID = "amifleet-demo";

  private final CliContext context;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      defaultValue = "amifleet-demo",
      description = "Where to write targets.yaml and report.json (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(
      names = "--workers",
      paramLabel = "N",
      defaultValue = "2",
      description = "Queue consumers (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(
      names = "--pending",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "6s",
      description =
          "Hold each image pending up to this long: EC2's minutes, compressed (default:"
              + " ${DEFAULT-VALUE}; 0s: instant images).")
  Duration pending;

  @Option(
      names = "--endpoint-url",
      paramLabel = "URL",
      description = "Use a moto already running there (behind the layer) instead of starting one.")
  URI endpoint;

  DemoCommand(CliContext context) {
    this.context = context;
  }

  /**
   * The realistic profile with EC2's minutes of pending compressed to at most {@code --pending},
   * and the demo role demanding the demo's ExternalId as its trust policy would.
   */
  private RealismSettings layerSettings() {
    RealismSettings.Builder b =
        RealismSettings.realistic().toBuilder()
            .externalId("AmiFleetCreator", EXTERNAL_ID)
            .externalId("AmiFleetVault", EXTERNAL_ID);
    if (pending.isZero()) {
      return b.without(Rule.PENDING_IMAGES).build();
    }
    RealismSettings r = RealismSettings.realistic();
    return b.timeScale(pending.toNanos() / (double) r.pendingMax().toNanos()).build();
  }

  @Override
  public Integer call() throws InterruptedException, IOException {
    PrintStream out = context.out();
    Logging.quiet();
    out.println(
        "amifleet demo: the whole pipeline against a local AWS emulator; no AWS account is used.");
    out.println();
    out.print("1. Starting the AWS emulator ... ");
    out.flush();
    Map<String, String> env = new HashMap<>(System.getenv());
    if (endpoint != null) {
      env.put(MotoLauncher.ENDPOINT_VARIABLE, endpoint.toString());
    }
    // Signals first: a Ctrl-C while the emulator starts must still stop it (see onQuit below).
    AtomicBoolean interrupt = new AtomicBoolean();
    SingleMachineRun[] running = new SingleMachineRun[1];
    Signals.onTermination(
        message -> {
          if (running[0] != null) {
            running[0].notice(message);
          } else {
            out.println(message);
          }
        },
        () -> running[0] == null ? "the demo stops after this step" : running[0].waitingFor(),
        () -> interrupt.set(true));
    try (RealisticEmulator emulator =
            RealisticEmulator.start(
                new MotoLauncher(env, Path.of("").toAbsolutePath()).start(), layerSettings(), 0);
        EmulatedAws aws = new EmulatedAws(emulator.endpoint(), REGION)) {
      // The emulator is a child process: stop it on every way out, a second Ctrl-C included.
      Runnable forget = Signals.onQuit(emulator::close);
      try {
        return demo(emulator, aws, out, interrupt, running);
      } finally {
        forget.run();
      }
    }
  }

  private int demo(
      RealisticEmulator emulator,
      EmulatedAws aws,
      PrintStream out,
      AtomicBoolean interrupt,
      SingleMachineRun[] running)
      throws InterruptedException, IOException {
    out.println(emulator.description() + ", at " + emulator.endpoint());
    if (interrupt.get()) {
      return 130;
    }

    out.println(
        "2. Seeding a hub (123456789012) and three production accounts in "
            + DemoScenario.REGIONS
            + ":");
    Seeder seeder = new Seeder(aws);
    DemoScenario.Seeded seeded = DemoScenario.seed(seeder);
    for (DemoScenario.Account a : DemoScenario.ACCOUNTS) {
      out.printf(
          "     %s %-10s %d instance(s) tagged Backup=nightly, %d untagged (must be left alone)%n",
          a.id(),
          a.name(),
          seeded.tagged().get(a.id()).size(),
          seeded.untagged().get(a.id()).size());
    }

    Files.createDirectories(dir);
    Path targetsFile = dir.resolve("targets.yaml");
    Files.writeString(targetsFile, DemoScenario.targetsYaml());
    out.println(
        "3. Wrote " + targetsFile + " (read it: it is what you would write for real accounts).");

    Map<String, String> demoEnv = Map.of("AMIFLEET_EXTERNAL_ID", EXTERNAL_ID);
    Environment environment =
        name -> Optional.ofNullable(demoEnv.get(name)).or(() -> context.environment().get(name));
    Targets targets = new TargetsLoader(environment).load(targetsFile);
    String runId = JobIds.newRunId(Clock.systemUTC());
    Path report = dir.resolve("report.json");
    out.printf(
        "4. Running: amifleet run --targets %s --endpoint-url %s --poll-interval 2s --report %s%n",
        targetsFile, emulator.endpoint(), report);
    out.printf(
        "   (the EC2 layer throttles, adds latency, hides new images for a few seconds and holds"
            + " each one pending for up to %s, EC2's minutes compressed)%n",
        pending.toSeconds() + "s");
    out.println();

    AwsSettings settings =
        AwsSettings.defaults()
            .withRegion(REGION)
            .withEndpoint(emulator.endpoint())
            .withHubCredentials(EmulatedAws.hubCredentials());
    CliContext demoContext =
        new CliContext(environment, out, out, context.terminal(), s -> s, context.listeners());
    var options =
        new SingleMachineRun.Options(
            targets,
            runId,
            WorkerSettings.defaults().withPollInterval(Duration.ofSeconds(2)),
            workers,
            // The demo's own emulator wins over any endpoint the context would set.
            context.aws(settings).withEndpoint(emulator.endpoint()),
            Optional.empty(),
            Optional.of(report),
            16,
            false,
            false,
            false);
    if (interrupt.get()) {
      return 130;
    }
    running[0] = new SingleMachineRun(demoContext).withNewRunId(); // as `run` without --run-id
    SingleMachineRun.Outcome outcome = running[0].execute(options, interrupt);
    if (outcome.interrupted()) {
      return outcome.exitCode();
    }

    int made = 0;
    for (DemoScenario.Account a : DemoScenario.ACCOUNTS) {
      for (String region : DemoScenario.REGIONS) {
        made += seeder.ownedImages(a.id(), region).size();
      }
    }
    int inHub = seeder.ownedImages(EmulatedAws.HUB_ACCOUNT, REGION).size();
    long untouched =
        seeded.untagged().values().stream()
            .flatMap(List::stream)
            .filter(id -> outcome.results().stream().noneMatch(r -> r.instanceId().equals(id)))
            .count();
    int drCopies = seeder.ownedImages("111111111111", DemoScenario.DR_REGION).size();
    int vaultCopies = seeder.ownedImages(DemoScenario.VAULT_ACCOUNT, DemoScenario.DR_REGION).size();
    long copiesReported =
        outcome.results().stream()
            .filter(r -> r.copies() != null)
            .flatMap(r -> r.copies().stream())
            .filter(c -> c.state().equals("available"))
            .count();
    boolean ok =
        outcome.exitCode() == 0
            && made == seeded.taggedCount()
            && drCopies == seeded.tagged().get("111111111111").size()
            && vaultCopies == seeded.tagged().get("222222222222").size()
            && copiesReported == drCopies + vaultCopies
            && inHub == 0
            && untouched == seeded.untaggedCount()
            && outcome.results().stream().allMatch(ResultMessage::succeeded);
    out.println();
    out.printf(
        "5. Checked in the emulator: %d image(s) made for %d tagged instance(s), each in its own account;"
            + " %d in the hub; %d untagged instance(s) left alone.%n",
        made, seeded.taggedCount(), inHub, untouched);
    out.printf(
        "   Disaster-recovery copies: %d of web's images in %s, %d of payments' in the vault"
            + " account %s (%s); the results list %d copies, all available.%n",
        drCopies,
        DemoScenario.DR_REGION,
        vaultCopies,
        DemoScenario.VAULT_ACCOUNT,
        DemoScenario.DR_REGION,
        copiesReported);
    ProxyStats.Snapshot calls = emulator.layer().stats();
    out.printf(
        "   The EC2 layer answered %d EC2 calls (%d CreateImage, %d DescribeImages, %d throttled)"
            + " and %d AssumeRole.%n",
        calls.byApi().entrySet().stream()
            .filter(e -> e.getKey().startsWith("EC2."))
            .mapToLong(e -> e.getValue().calls())
            .sum(),
        calls.calls("EC2.CreateImage"),
        calls.calls("EC2.DescribeImages"),
        calls.totalThrottled(),
        calls.calls("STS.AssumeRole"));
    out.println();
    out.println("The same against real AWS:");
    out.println(
        "  1. Deploy infra/cloudformation/target-role.yaml to each account (StackSets; docs/deploying.md).");
    out.println("  2. Write targets.yaml for your accounts (start from " + targetsFile + ").");
    out.println("  3. With hub credentials (AWS_PROFILE / AWS_REGION) and the role's ExternalId:");
    out.println("       export AMIFLEET_EXTERNAL_ID=<the ExternalId of the target role>");
    out.println("       ./amifleet run --targets targets.yaml --report report.json");
    out.println(
        "  For a fleet: ./amifleet queues create --queue-prefix nightly, then 'dispatch' on a schedule and");
    out.println(
        "  'worker' on as many machines as you like (or deploy infra/cloudformation/hub-stack.yaml).");
    out.println();
    out.println(
        ok
            ? "Demo finished: all good. The emulator is stopped."
            : "Demo finished with problems (see above).");
    return ok ? 0 : 1;
  }
}
