package io.amifleet.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.common.json.Json;
import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.MotoLauncher;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark harness (issue "Benchmark harness"): runs every scenario against its own moto on
 * loopback, prints a table and writes the same figures as JSON. Run it with {@code bench/run}.
 */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) throws Exception {
    BenchConfig config = BenchConfig.parse(args);
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
    json.put("configuration", config.small() ? "small" : "default");
    json.set("machine", machine(mapper));
    List<Measure> measures = new ArrayList<>();
    try (Emulator emulator = MotoLauncher.fromEnvironment().start()) {
      json.put("emulator", emulator.description());
      System.err.println("bench: " + emulator.description() + "; work files in " + work);
      System.err.println("bench: 1-2. shell loop vs amifleet run ...");
      new ShellLoopScenario(config, emulator, mapper, work, jar).run(measures, json);
      System.err.println("bench: 3. waiting footprint ...");
      new FootprintScenario(config, emulator, work).run(measures, json);
      System.err.println("bench: 4. near the throttle limit ...");
      new ThrottleScenario(config, emulator, work).run(measures, json);
      System.err.println("bench: 5. dispatch rate ...");
      new DispatchRateScenario(config).run(measures, json);
      System.err.println("bench: 6. preflight ...");
      new PreflightScenario(config, emulator, work).run(measures, json);
    }
    ArrayNode rows = json.putArray("measures");
    measures.forEach(m -> rows.add(mapper.valueToTree(m)));
    print(measures);
    String text = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n";
    Files.writeString(config.out().resolve("bench-" + stamp + ".json"), text);
    Files.writeString(config.out().resolve("latest.json"), text);
    System.out.println();
    System.out.println("written: " + config.out().resolve("bench-" + stamp + ".json"));
    System.exit(0);
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
