package io.amifleet.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.emulator.RealisticEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Scenario 6: {@code amifleet preflight} over P accounts (one region each), through the launcher as
 * an operator runs it, against the realistic EC2 layer: AssumeRole, DescribeInstances and a
 * CreateImage DryRun per account, 32 at a time.
 */
final class PreflightScenario {
  private final BenchConfig config;
  private final RealisticEmulator emulator;
  private final Path work;

  PreflightScenario(BenchConfig config, RealisticEmulator emulator, Path work) {
    this.config = config;
    this.emulator = emulator;
    this.work = work;
  }

  void run(List<Measure> measures, ObjectNode json) throws Exception {
    int accounts = config.preflightAccounts();
    StringBuilder yaml =
        new StringBuilder(
            "defaults: {regions: ["
                + ShellLoopScenario.REGION
                + "], select: {tags: {Backup: nightly}}}\naccounts:\n");
    for (int i = 1; i <= accounts; i++) {
      yaml.append(String.format(Locale.ROOT, "  - id: \"7%011d\"%n", i));
    }
    Path targets = work.resolve("preflight-targets.yaml");
    Files.writeString(targets, yaml);
    // moto builds an account's EC2 state (default VPC, a thousand public images) on its first
    // request there, which takes it ~0.2 s per account; the first run pays for that, the second
    // measures amifleet.
    Procs.Ran cold = preflight(targets, "preflight-cold.log");
    Procs.Ran ran = preflight(targets, "preflight.log");
    long ok = ran.output().lines().filter(l -> l.contains("\"ok\":true")).count();
    String scenario = "6. Preflight, " + accounts + " accounts x 1 region";
    measures.add(
        Measure.check(
            scenario,
            "account-regions that pass",
            ok + " of " + accounts + " (exit " + ran.exitCode() + ")",
            "= " + accounts,
            ok == accounts && ran.exitCode() == 0));
    measures.add(
        Measure.info(
            scenario,
            "first run, moto creating each account's state",
            String.format(Locale.ROOT, "%.1f s", cold.wall().toMillis() / 1000.0)));
    double seconds = ran.wall().toMillis() / 1000.0;
    measures.add(
        Measure.check(
            scenario,
            "second run, wall time, start-up included",
            String.format(Locale.ROOT, "%.1f s", seconds),
            "<= 30 s",
            seconds <= 30));
    ObjectNode p = json.putObject("preflight");
    p.put("accounts", accounts).put("passed", ok).put("wallMillis", ran.wall().toMillis());
    p.put("coldWallMillis", cold.wall().toMillis());
  }

  private Procs.Ran preflight(Path targets, String log) {
    return Procs.run(
        List.of(
            "./amifleet",
            "preflight",
            "--targets",
            targets.toString(),
            "--endpoint-url",
            emulator.endpoint().toString(),
            "--region",
            ShellLoopScenario.REGION,
            "--output",
            "json"),
        Procs.awsEnv(ShellLoopScenario.REGION),
        work.resolve(log),
        Duration.ofMinutes(10));
  }
}
