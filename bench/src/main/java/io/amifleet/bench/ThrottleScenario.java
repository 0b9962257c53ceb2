package io.amifleet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.cli.CliContext;
import io.amifleet.cli.Main;
import io.amifleet.common.config.Environment;
import io.amifleet.common.json.Json;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.realistic.ProxyStats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.ec2.model.CreateImageResponse;

/**
 * Scenario 4: N images in one account+region while the realistic EC2 layer enforces EC2's
 * CreateImage bucket (50 burst, 5/s refill). {@code amifleet run} runs in this JVM so that an
 * interceptor can time its first and last CreateImage. Compared with the floor (N - 50) / 5 s.
 */
final class ThrottleScenario {
  static final String ACCOUNT = "500000000001";

  private final BenchConfig config;
  private final RealisticEmulator emulator;
  private final Path work;

  ThrottleScenario(BenchConfig config, RealisticEmulator emulator, Path work) {
    this.config = config;
    this.emulator = emulator;
    this.work = work;
  }

  void run(List<Measure> measures, ObjectNode json) throws Exception {
    emulator.reset();
    int n = config.throttled();
    try (EmulatedAws aws = new EmulatedAws(emulator.motoEndpoint(), ShellLoopScenario.REGION)) {
      new Seeder(aws).runInstances(ACCOUNT, ShellLoopScenario.REGION, n, Map.of());
    }
    Path targets = work.resolve("throttle-targets.yaml");
    Files.writeString(
        targets,
        "defaults: {regions: ["
            + ShellLoopScenario.REGION
            + "], select: {all: true}}\naccounts:\n  - id: \""
            + ACCOUNT
            + "\"\n");
    AtomicLong first = new AtomicLong();
    AtomicLong last = new AtomicLong();
    ExecutionInterceptor created =
        new ExecutionInterceptor() {
          @Override
          public void afterExecution(
              Context.AfterExecution context, ExecutionAttributes attributes) {
            if (context.response() instanceof CreateImageResponse) {
              long now = System.nanoTime();
              first.compareAndSet(0, now);
              last.set(now);
            }
          }
        };
    Path report = work.resolve("throttle-report.json");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CliContext context =
        new CliContext(
            Environment.of(Map.of()),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            false,
            s ->
                s.withRegion(ShellLoopScenario.REGION)
                    .withEndpoint(emulator.endpoint())
                    .withHubCredentials(EmulatedAws.hubCredentials())
                    .withInterceptors(List.of(created)),
            List.of());
    ProxyStats.Snapshot before = emulator.layer().stats();
    long start = System.nanoTime();
    int code =
        Main.run(
            context,
            "run",
            "--targets",
            targets.toString(),
            "--poll-interval",
            "1s",
            "--report",
            report.toString());
    long wall = (System.nanoTime() - start) / 1_000_000;
    ProxyStats.Snapshot layer = emulator.layer().stats().since(before);
    long throttled = layer.throttled("EC2.CreateImage");
    double layerMicros =
        layer.callsSinceStart() == 0 ? 0 : layer.cpuNanos() / 1000.0 / layer.callsSinceStart();
    Files.writeString(work.resolve("throttle-run.log"), out.toString(StandardCharsets.UTF_8));
    JsonNode totals = Json.newMapper().readTree(report.toFile()).get("totals");
    long span = (last.get() - first.get()) / 1_000_000;
    double floor = Math.max(0, n - 50) / 5.0 * 1000;

    String s = "4. near the throttle limit (N = " + n + ", bucket 50, 5/s)";
    measures.add(
        Measure.check(
            s,
            "exit code / failed jobs",
            code + " / " + totals.get("failed").asInt(),
            "0 / 0",
            code == 0 && totals.get("failed").asInt() == 0));
    measures.add(Measure.info(s, "floor (N - 50) / 5", ShellLoopScenario.seconds((long) floor)));
    measures.add(
        Measure.check(
            s,
            "run wall time / floor",
            ShellLoopScenario.seconds(wall) + String.format(" = %.2fx", wall / floor),
            "<= 1.15x",
            wall <= floor * 1.15));
    measures.add(
        Measure.info(
            s,
            "first to last CreateImage / floor",
            ShellLoopScenario.seconds(span) + String.format(" = %.2fx", span / floor)));
    measures.add(
        Measure.info(s, "CreateImage throttled by the layer (absorbed)", Long.toString(throttled)));
    // Measured here, after the scenarios before it warmed the layer's code up.
    measures.add(
        Measure.check(
            s,
            "the layer's CPU per call in this scenario",
            String.format(
                "%.0f us (%d calls, %.2f s CPU)",
                layerMicros, layer.callsSinceStart(), layer.cpuNanos() / 1e9),
            "< 1000 us",
            layerMicros < 1000));
    ObjectNode t = json.putObject("throttle");
    t.put("images", n)
        .put("wallMillis", wall)
        .put("createImageSpanMillis", span)
        .put("floorMillis", (long) floor);
    t.put("layerCpuMicrosPerCall", layerMicros);
    t.put("throttled", throttled).put("exitCode", code).set("totals", totals);
  }
}
