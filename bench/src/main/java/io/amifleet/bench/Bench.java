package io.amifleet.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.common.json.Json;
import io.amifleet.emulator.MotoLauncher;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.realistic.ProxyStats;
import io.amifleet.emulator.realistic.RealismSettings;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark harness (issue "Benchmark harness"): runs every scenario against its own moto on
 * loopback behind the realistic EC2 layer (EC2's buckets, latency, eventual consistency; pending
 * times compressed to at most {@code --pending-seconds}), prints the tables and writes the same
 * figures as JSON with the machine's facts. Scenario 1 races amifleet against what a user would run
 * instead (issue 15), under the layer's permissive and realistic profiles. The layer's counters
 * give the calls, throttles and its own CPU per call. Run it with {@code bench/run}.
 */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) throws Exception {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(BenchConfig.USAGE);
      return;
    }
    BenchConfig config;
    try {
      config = BenchConfig.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.err.println(BenchConfig.USAGE);
      System.exit(2);
      return;
    }
    Path jar = Path.of("cli/target/amifleet.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(
          jar + " is missing: run the harness with bench/run, which builds it");
    }
    Files.createDirectories(config.out());
    Path work = Files.createTempDirectory("amifleet-bench-");
    ObjectMapper mapper = Json.newMapper();
    ObjectNode json = mapper.createObjectNode();
    String stamp =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC)
            .format(Instant.now());
    json.put("time", stamp);
    json.put("date", Instant.now().toString());
    json.put("configuration", config.small() ? "small" : "default");
    json.set("machine", machine(mapper));
    json.put("command", "bench/run " + String.join(" ", args));
    List<Measure> measures = new ArrayList<>();
    List<String> tables = new ArrayList<>();
    boolean failed = false;
    try (RealisticEmulator emulator =
        RealisticEmulator.start(MotoLauncher.fromEnvironment().start(), layerSettings(config), 0)) {
      json.put("emulator", emulator.description());
      ((ObjectNode) json.get("machine"))
          .put(
              "moto",
              MotoProcess.find(emulator.motoEndpoint())
                  .map(MotoProcess::version)
                  .orElse("unknown (not started by the harness)"));
      System.err.println("bench: " + emulator.description() + "; work files in " + work);
      ShellLoopScenario race = new ShellLoopScenario(config, emulator, mapper, work);
      failed |=
          !step(
              measures,
              emulator,
              config.runs(1),
              "1-2. competitors on one estate: "
                  + config.competitors().stream().map(Competitor::id).toList()
                  + " under "
                  + config.profiles().stream().map(LayerProfile::id).toList(),
              () -> race.run(measures, json));
      tables.addAll(race.tables());
      failed |=
          !step(
              measures,
              emulator,
              config.runs(3),
              "3. waiting footprint",
              () -> new FootprintScenario(config, emulator, work).run(measures, json));
      failed |=
          !step(
              measures,
              emulator,
              config.runs(4),
              "4. near the throttle limit",
              () -> new ThrottleScenario(config, emulator, work).run(measures, json));
      failed |=
          !step(
              measures,
              emulator,
              config.runs(5),
              "5. dispatch rate",
              () -> new DispatchRateScenario(config).run(measures, json));
      failed |=
          !step(
              measures,
              emulator,
              config.runs(6),
              "6. preflight",
              () -> new PreflightScenario(config, emulator, work).run(measures, json));
      layerCost(emulator.layer().stats(), measures, json);
    }
    ArrayNode rows = json.putArray("measures");
    measures.forEach(m -> rows.add(mapper.valueToTree(m)));
    for (String table : tables) {
      System.out.println(table);
    }
    print(measures);
    String text = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n";
    Files.writeString(config.out().resolve("bench-" + stamp + ".json"), text);
    Files.writeString(config.out().resolve("latest.json"), text);
    System.out.println();
    System.out.println("written: " + config.out().resolve("bench-" + stamp + ".json"));
    if (failed) {
      System.err.println(
          "bench: a scenario failed (see above and the NO lines); its figures are missing");
    }
    System.exit(failed ? 1 : 0);
  }

  private interface Step {
    void run() throws Exception;
  }

  /**
   * Runs a scenario when chosen, saying on stderr how long it took (the machine may be shared). A
   * scenario that fails is reported as a failed measure and the next one runs, so that a long run
   * keeps what it measured; false when it failed.
   */
  private static boolean step(
      List<Measure> measures, RealisticEmulator emulator, boolean chosen, String what, Step step) {
    if (!chosen) {
      return true;
    }
    String name = what.replaceFirst(":.*", "");
    System.err.println("bench: " + what + " ...");
    long start = System.nanoTime();
    boolean ok = true;
    try {
      step.run();
    } catch (Exception e) {
      ok = false;
      System.err.println("bench: " + name + " failed:");
      e.printStackTrace();
      measures.add(
          Measure.check(name, "the scenario ran to the end", e.toString(), "no error", false));
    }
    if (!ok) {
      recover(emulator);
    }
    System.err.printf(
        Locale.ROOT,
        "bench: %s: %s in %.0f s (load average %s)%n",
        name,
        ok ? "done" : "FAILED",
        (System.nanoTime() - start) / 1e9,
        loadAverage());
    return ok;
  }

  /**
   * After a failed scenario moto may still be working through the calls of a client that gave up
   * (each reset then times out): wait until a reset goes through, for up to five minutes, so that
   * the next scenario starts from a clean emulator.
   */
  private static void recover(RealisticEmulator emulator) {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (true) {
      try {
        emulator.reset();
        return;
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          System.err.println("bench: the emulator did not recover: " + e.getMessage());
          return;
        }
        System.err.println("bench: waiting for the emulator to recover: " + e.getMessage());
        try {
          Thread.sleep(10_000);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  /** The realistic profile with EC2's 3-15 minutes of pending compressed to the configuration's. */
  static RealismSettings layerSettings(BenchConfig config) {
    RealismSettings r = RealismSettings.realistic();
    return r.toBuilder()
        .timeScale(config.pending().toNanos() / (double) r.pendingMax().toNanos())
        .build();
  }

  /** The layer's own CPU per call over the whole run: its threads' CPU time over its calls. */
  private static void layerCost(ProxyStats.Snapshot s, List<Measure> measures, ObjectNode json) {
    long calls = s.callsSinceStart();
    double micros = calls == 0 ? 0 : s.cpuNanos() / 1000.0 / calls;
    String scenario = "7. the realistic EC2 layer itself (all scenarios)";
    measures.add(Measure.info(scenario, "calls answered", Long.toString(calls)));
    measures.add(
        Measure.check(
            scenario,
            "CPU per call (its threads' CPU time / calls)",
            String.format("%.0f us (%.1f s CPU)", micros, s.cpuNanos() / 1e9),
            "< 1000 us",
            micros < 1000));
    json.putObject("layer")
        .put("calls", calls)
        .put("cpuNanos", s.cpuNanos())
        .put("cpuMicrosPerCall", micros);
  }

  private static ObjectNode machine(ObjectMapper mapper) {
    ObjectNode m = mapper.createObjectNode();
    m.put("cpus", Runtime.getRuntime().availableProcessors());
    m.put(
        "memoryBytes",
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getTotalMemorySize());
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    // The machine may be shared: the load when the harness started says how busy it was.
    m.put("loadAverage", loadAverage());
    return m;
  }

  private static void print(List<Measure> measures) {
    String last = "";
    System.out.printf("%-58s %-44s %-10s %s%n", "MEASURE", "VALUE", "TARGET", "MET");
    for (Measure m : measures) {
      if (!m.scenario().equals(last)) {
        System.out.println(m.scenario());
        last = m.scenario();
      }
      System.out.printf(
          "  %-56s %-44s %-10s %s%n",
          m.name(), m.value(), m.target(), m.met() == null ? "" : m.met() ? "yes" : "NO");
    }
  }
}
