package io.amifleet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.realistic.ProxyStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Scenarios 1 and 2: the classic shell loop (per account: aws sts assume-role, export the three
 * variables, aws ec2 create-image per instance) against {@code amifleet run} on the same estate
 * from a fresh emulator, both through the realistic EC2 layer and counted in images (in moto); the
 * floor (start-up plus one SDK client's back-to-back CreateImage calls, on moto without the layer,
 * whose buckets would throttle the floor itself); jobs FAILED and throttles absorbed at EC2's
 * default CreateImage bucket; and amifleet's EC2 and STS calls by operation as the layer counted
 * them (SQS calls from amifleet's own count: its queue is embedded).
 */
final class ShellLoopScenario {
  static final String REGION = "us-east-1";

  private final BenchConfig config;
  private final RealisticEmulator emulator;
  private final ObjectMapper mapper;
  private final Path work;
  private final Path jar;

  ShellLoopScenario(
      BenchConfig config, RealisticEmulator emulator, ObjectMapper mapper, Path work, Path jar) {
    this.config = config;
    this.emulator = emulator;
    this.mapper = mapper;
    this.work = work;
    this.jar = jar;
  }

  List<String> accounts() {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= config.accounts(); i++) {
      ids.add(String.format("7%011d", i));
    }
    return ids;
  }

  private void seed() {
    emulator.reset();
    try (EmulatedAws aws = new EmulatedAws(emulator.motoEndpoint(), REGION)) {
      Seeder seeder = new Seeder(aws);
      for (String a : accounts()) {
        seeder.runInstances(
            a, REGION, config.instances(), Map.of("Backup", "nightly", "Name", "app"));
      }
    }
  }

  /** Images in moto (the truth, without the layer's window of eventual consistency). */
  private int images() {
    try (EmulatedAws aws = new EmulatedAws(emulator.motoEndpoint(), REGION)) {
      Seeder seeder = new Seeder(aws);
      return accounts().stream().mapToInt(a -> seeder.ownedImages(a, REGION).size()).sum();
    }
  }

  void run(List<Measure> measures, ObjectNode json) throws Exception {
    int jobs = config.accounts() * config.instances();
    String scenario = "1. vs shell loop (" + config.accounts() + " x " + config.instances() + ")";

    // The shell loop.
    seed();
    Path script = work.resolve("shell-loop.sh");
    Files.writeString(
        script,
        """
        #!/usr/bin/env bash
        # The classic approach: assume each account's role, export, create-image per instance.
        set -euo pipefail
        endpoint="$1"; shift
        for account in "$@"; do
          read -r key secret token < <(aws --endpoint-url "$endpoint" sts assume-role \\
              --role-arn "arn:aws:iam::${account}:role/AmiFleetCreator" --role-session-name shell-loop \\
              --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
          export AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY="$secret" AWS_SESSION_TOKEN="$token"
          for id in $(aws --endpoint-url "$endpoint" ec2 describe-instances \\
              --filters Name=tag:Backup,Values=nightly --query 'Reservations[].Instances[].InstanceId' --output text); do
            aws --endpoint-url "$endpoint" ec2 create-image --instance-id "$id" --name "$id-shell" --no-reboot --output text > /dev/null
          done
          export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
          unset AWS_SESSION_TOKEN
        done
        """);
    List<String> shell =
        new ArrayList<>(List.of("bash", script.toString(), emulator.endpoint().toString()));
    shell.addAll(accounts());
    Procs.Ran loop =
        Procs.run(shell, Procs.awsEnv(REGION), work.resolve("shell-loop.log"), Duration.ofHours(2));
    if (loop.exitCode() != 0) {
      throw new IllegalStateException("the shell loop failed: " + loop.output());
    }
    int shellImages = images();

    // amifleet run, from a fresh emulator state, through the launcher as users run it: with its
    // defaults, which keep CreateImage under EC2's per-account+region rate (48 at once, then
    // 4.8/s), and with that limit raised past the instances per account, as moto does not throttle.
    Path targets = work.resolve("targets.yaml");
    StringBuilder yaml =
        new StringBuilder(
            "defaults: {regions: ["
                + REGION
                + "], select: {tags: {Backup: nightly}}}\naccounts:\n");
    accounts().forEach(a -> yaml.append("  - id: \"").append(a).append("\"\n"));
    Files.writeString(targets, yaml);
    Path report = work.resolve("run-report.json");
    seed();
    ProxyStats.Snapshot before = emulator.layer().stats();
    Procs.Ran run = amifleetRun(targets, report, List.of(), "amifleet-run.log");
    ProxyStats.Snapshot layerRun = emulator.layer().stats().since(before);
    int amifleetImages = images();
    seed();
    String burst = Integer.toString(config.instances() + 1);
    Path raisedReport = work.resolve("run-raised-report.json");
    before = emulator.layer().stats();
    Procs.Ran raised =
        amifleetRun(
            targets, raisedReport, List.of("--create-burst", burst), "amifleet-run-raised.log");
    ProxyStats.Snapshot layerRaised = emulator.layer().stats().since(before);
    int raisedImages = images();
    int failed = failed(report);
    int failedRaised = failed(raisedReport);
    double ratio = loop.wall().toMillis() / (double) run.wall().toMillis();
    double ratioRaised = loop.wall().toMillis() / (double) raised.wall().toMillis();

    // The floor: start-up, plus one SDK client making the same CreateImage calls back to back.
    List<Long> startups = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      startups.add(
          Procs.run(
                  List.of("./amifleet", "--version"),
                  Map.of(),
                  work.resolve("version.log"),
                  Duration.ofMinutes(1))
              .wall()
              .toMillis());
    }
    Collections.sort(startups);
    long startup = startups.get(1);
    seed();
    long sdkMillis = sdkCreateImages();
    long floor = startup + sdkMillis;
    double vsFloor = run.wall().toMillis() / (double) floor;
    double vsFloorRaised = raised.wall().toMillis() / (double) floor;

    measures.add(
        Measure.info(
            scenario,
            "shell loop wall time",
            seconds(loop.wall().toMillis()) + " (" + shellImages + " images)"));
    measures.add(
        Measure.info(
            scenario,
            "amifleet run, defaults",
            seconds(run.wall().toMillis()) + " (" + amifleetImages + " images)"));
    measures.add(
        Measure.info(
            scenario,
            "amifleet run, --create-burst " + burst,
            seconds(raised.wall().toMillis()) + " (" + raisedImages + " images)"));
    measures.add(
        Measure.check(
            scenario,
            "speed-up, defaults (CreateImage <= 4.8/s per account)",
            String.format(Locale.ROOT, "%.1fx", ratio),
            ">= 30x",
            ratio >= 30));
    measures.add(
        Measure.check(
            scenario,
            "jobs FAILED at EC2's CreateImage bucket, defaults / limit raised",
            failed + " / " + failedRaised,
            "0 / 0",
            failed == 0 && failedRaised == 0));
    measures.add(
        Measure.info(
            scenario,
            "CreateImage throttles absorbed, defaults / limit raised",
            layerRun.throttled("EC2.CreateImage")
                + " / "
                + layerRaised.throttled("EC2.CreateImage")
                + " (all calls: "
                + layerRun.totalThrottled()
                + " / "
                + layerRaised.totalThrottled()
                + ")"));
    measures.add(
        Measure.check(
            scenario,
            "speed-up, limit raised (the layer throttles)",
            String.format(Locale.ROOT, "%.1fx", ratioRaised),
            ">= 30x",
            ratioRaised >= 30));
    measures.add(
        Measure.check(
            scenario,
            "same number of images",
            shellImages + " / " + amifleetImages + " / " + raisedImages,
            "= " + jobs,
            shellImages == jobs && amifleetImages == jobs && raisedImages == jobs));
    measures.add(
        Measure.info(
            scenario,
            "floor: --version start-up (median of 3) + SDK CreateImage calls",
            seconds(startup) + " + " + seconds(sdkMillis) + " = " + seconds(floor)));
    measures.add(
        Measure.check(
            scenario,
            "amifleet / floor, defaults",
            String.format(Locale.ROOT, "%.2fx", vsFloor),
            "<= 2x",
            vsFloor <= 2));
    measures.add(
        Measure.check(
            scenario,
            "amifleet / floor, limit raised",
            String.format(Locale.ROOT, "%.2fx", vsFloorRaised),
            "<= 2x",
            vsFloorRaised <= 2));

    ObjectNode s1 = json.putObject("shellLoop");
    s1.put("accounts", config.accounts()).put("instancesPerAccount", config.instances());
    s1.put("shellLoopMillis", loop.wall().toMillis()).put("shellLoopImages", shellImages);
    s1.put("amifleetRunMillis", run.wall().toMillis()).put("amifleetImages", amifleetImages);
    s1.put("amifleetRunLimitRaisedMillis", raised.wall().toMillis())
        .put("limitRaisedImages", raisedImages);
    s1.put("speedup", ratio).put("speedupLimitRaised", ratioRaised);
    s1.put("startupMillis", startup)
        .put("sdkCreateImageMillis", sdkMillis)
        .put("floorMillis", floor);
    s1.put("vsFloor", vsFloor).put("vsFloorLimitRaised", vsFloorRaised);
    s1.put("failed", failed).put("failedLimitRaised", failedRaised);
    s1.put("createImageThrottled", layerRun.throttled("EC2.CreateImage"))
        .put("createImageThrottledLimitRaised", layerRaised.throttled("EC2.CreateImage"));

    // Scenario 2: API economy: EC2 and STS calls as the layer counted them, SQS calls from
    // amifleet's own count (--stats, in the report), as its queue is embedded.
    JsonNode calls = mapper.readTree(report.toFile()).get("apiCalls");
    json.set("apiCalls", calls);
    ObjectNode layerCalls = json.putObject("layerCalls");
    layerRun
        .byApi()
        .forEach(
            (op, c) ->
                layerCalls
                    .putObject(op)
                    .put("calls", c.calls())
                    .put("throttled", c.throttled())
                    .put("errors", c.errors()));
    String s2 = "2. API economy (" + jobs + " jobs)";
    double createImage = layerRun.calls("EC2.CreateImage") / (double) jobs;
    double describe = layerRun.calls("EC2.DescribeImages") / (double) jobs;
    long assume = layerRun.calls("STS.AssumeRole");
    long sqs = 0;
    for (var it = calls.fieldNames(); it.hasNext(); ) {
      String op = it.next();
      if (op.startsWith("SQS.")) {
        sqs += calls(calls, op);
      }
    }
    double sqsPerJob = sqs / (double) jobs;
    measures.add(
        Measure.check(
            s2,
            "CreateImage per job (throttled attempts included)",
            String.format(
                "%.2f (%d throttled)", createImage, layerRun.throttled("EC2.CreateImage")),
            "= 1",
            layerRun.calls("EC2.CreateImage") - layerRun.throttled("EC2.CreateImage") == jobs));
    measures.add(
        Measure.info(
            s2, "DescribeImages per job (lookups + waiting)", String.format("%.2f", describe)));
    measures.add(
        Measure.check(
            s2,
            "AssumeRole per account+region",
            String.format("%.2f", assume / (double) config.accounts()),
            "<= 1",
            assume <= config.accounts()));
    measures.add(
        Measure.check(
            s2,
            "SQS calls per job, dispatch included",
            String.format("%.3f (%d calls)", sqsPerJob, sqs),
            "<= 0.5",
            sqsPerJob <= 0.5));
    for (var it = calls.fieldNames(); it.hasNext(); ) {
      String op = it.next();
      if (op.startsWith("SQS.")) {
        measures.add(
            Measure.info(
                s2,
                "  " + op,
                calls(calls, op)
                    + " ("
                    + String.format("%.3f", calls(calls, op) / (double) jobs)
                    + " per job)"));
      }
    }
    layerRun
        .byApi()
        .forEach(
            (op, c) ->
                measures.add(
                    Measure.info(
                        s2,
                        "  " + op + " (layer)",
                        c.calls()
                            + String.format(" (%.3f per job", c.calls() / (double) jobs)
                            + (c.throttled() > 0 ? ", " + c.throttled() + " throttled)" : ")"))));
  }

  private Procs.Ran amifleetRun(Path targets, Path report, List<String> extra, String log) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "./amifleet",
                "run",
                "--targets",
                targets.toString(),
                "--endpoint-url",
                emulator.endpoint().toString(),
                "--region",
                REGION,
                "--poll-interval",
                "1s",
                "--report",
                report.toString(),
                "--stats"));
    command.addAll(extra);
    Procs.Ran ran =
        Procs.run(command, Procs.awsEnv(REGION), work.resolve(log), Duration.ofMinutes(30));
    if (ran.exitCode() != 0) {
      throw new IllegalStateException("amifleet run failed:\n" + ran.output());
    }
    return ran;
  }

  private int failed(Path report) throws java.io.IOException {
    JsonNode totals = mapper.readTree(report.toFile()).get("totals");
    return totals.get("failed").asInt() + totals.get("timedOut").asInt();
  }

  private static long calls(JsonNode calls, String op) {
    JsonNode n = calls.get(op);
    return n == null ? 0 : n.get("calls").asLong();
  }

  private long sdkCreateImages() {
    try (EmulatedAws aws = new EmulatedAws(emulator.motoEndpoint(), REGION)) {
      List<List<String>> instances = new ArrayList<>();
      for (String a : accounts()) {
        Ec2Client ec2 = aws.ec2(a, REGION);
        instances.add(
            ec2.describeInstances().reservations().stream()
                .flatMap(r -> r.instances().stream())
                .map(i -> i.instanceId())
                .toList());
        ec2.describeRegions(); // connection and credentials ready before the clock starts
      }
      long start = System.nanoTime();
      for (int k = 0; k < accounts().size(); k++) {
        Ec2Client ec2 = aws.ec2(accounts().get(k), REGION);
        for (String id : instances.get(k)) {
          ec2.createImage(b -> b.instanceId(id).name(id + "-sdk").noReboot(true));
        }
      }
      return (System.nanoTime() - start) / 1_000_000;
    }
  }

  static String seconds(long millis) {
    return String.format("%.2f s", millis / 1000.0);
  }
}
