package io.amifleet.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.message.Identifiers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile and the systemd units, read as text (no Docker engine or systemd is needed): the
 * entrypoint is the amifleet CLI, nothing runs as root, and a stop waits for the worker's graceful
 * shutdown.
 */
class RuntimeFilesTest {
  /** The worker's --shutdown-timeout in the units and the ECS task. */
  private static final Duration WORKER_SHUTDOWN = Duration.ofSeconds(30);

  @Test
  void imageRunsTheCliAsAnUnprivilegedUser() throws IOException {
    List<String> lines = Files.readAllLines(Templates.moduleDir().resolve("Dockerfile"));
    assertThat(lines)
        .contains(
            "ENTRYPOINT [\"java\", \"-XX:MaxRAMPercentage=75\", \"-jar\", \"/opt/amifleet/amifleet.jar\"]")
        .contains("FROM eclipse-temurin:17-jdk AS build", "FROM eclipse-temurin:17-jre")
        .contains("COPY --from=build /src/cli/target/amifleet.jar /opt/amifleet/amifleet.jar")
        .contains("COPY --from=build /src/cli/target/lib/ /opt/amifleet/lib/")
        .anyMatch(l -> l.contains("./mvnw -B -q -DskipTests package -pl cli -am"));
    List<String> users = lines.stream().filter(l -> l.startsWith("USER ")).toList();
    assertThat(users).hasSize(1);
    assertThat(users.get(0)).doesNotContain("root").matches("USER [1-9][0-9]*:[1-9][0-9]*");
    assertThat(lines.indexOf(users.get(0)))
        .as("USER comes before ENTRYPOINT")
        .isLessThan(indexStartingWith(lines, "ENTRYPOINT"));
  }

  @Test
  void workerUnitRestartsAndStopsGracefully() throws IOException {
    Map<String, String> unit = unit("amifleet-worker.service");
    assertThat(unit.get("ExecStart"))
        .startsWith("/usr/bin/java ")
        .contains("-jar /opt/amifleet/amifleet.jar worker --shutdown-timeout 30s");
    assertThat(unit).containsEntry("Restart", "always").containsEntry("KillSignal", "SIGTERM");
    assertThat(Duration.ofSeconds(Long.parseLong(unit.get("TimeoutStopSec"))))
        .isGreaterThan(WORKER_SHUTDOWN);
    assertHardened(unit);
  }

  @Test
  void collectUnitRestartsAndStopsWithinItsLongPoll() throws IOException {
    Map<String, String> unit = unit("amifleet-collect.service");
    assertThat(unit.get("ExecStart"))
        .startsWith("/usr/bin/java ")
        .contains("-jar /opt/amifleet/amifleet.jar collect");
    assertThat(unit).containsEntry("Restart", "always").containsEntry("KillSignal", "SIGTERM");
    // A receive's long poll is at most 20 s; the collector stops after it.
    assertThat(Long.parseLong(unit.get("TimeoutStopSec"))).isGreaterThan(20);
    assertHardened(unit);
  }

  @Test
  void dispatchRunsOnceNightlyFromTheTimer() throws IOException {
    Map<String, String> service = unit("amifleet-dispatch.service");
    assertThat(service).containsEntry("Type", "oneshot");
    assertThat(service.get("ExecStart")).contains("amifleet.jar dispatch --targets ");
    assertHardened(service);

    Map<String, String> timer = unit("amifleet-dispatch.timer");
    assertThat(timer)
        .containsEntry("OnCalendar", "*-*-* 02:00:00 UTC")
        .containsEntry("Persistent", "true")
        .containsEntry("Unit", "amifleet-dispatch.service");
  }

  @Test
  void theSystemdDispatchGetsTheTimersScheduledTimeAsItsRunId() throws Exception {
    String exec = unit("amifleet-dispatch.service").get("ExecStart");
    assertThat(exec).startsWith("/bin/sh -c '").endsWith("'");
    // What sh runs, once systemd has turned $$ and %% into $ and %; java replaced by printenv.
    String script =
        exec.substring("/bin/sh -c '".length(), exec.length() - 1)
            .replace("$$", "$")
            .replace("%%", "%");
    assertThat(script).contains("exec /usr/bin/java ").contains("amifleet.jar dispatch --targets ");
    script = script.substring(0, script.indexOf("exec /usr/bin/java")) + "printenv AMIFLEET_RUN_ID";

    ZonedDateTime before = ZonedDateTime.now(ZoneOffset.UTC);
    Process sh = new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true).start();
    String runId = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(sh.waitFor()).as(runId).isZero();
    ZonedDateTime after = ZonedDateTime.now(ZoneOffset.UTC);

    // The most recent 02:00 UTC (the timer's OnCalendar), like the ECS schedule's run IDs.
    assertThat(unit("amifleet-dispatch.timer")).containsEntry("OnCalendar", "*-*-* 02:00:00 UTC");
    assertThat(runId)
        .matches(Identifiers.PLAIN_ID)
        .isIn(scheduledRunId(before), scheduledRunId(after));
  }

  private static String scheduledRunId(ZonedDateTime now) {
    ZonedDateTime last = now.withHour(2).truncatedTo(ChronoUnit.HOURS);
    if (last.isAfter(now)) {
      last = last.minusDays(1);
    }
    return "scheduled-" + DateTimeFormatter.ISO_LOCAL_DATE.format(last) + "T02:00:00Z";
  }

  @Test
  void theDocumentationTheUnitsPointAtIsInstalledByTheGuide() throws IOException {
    String guide = Files.readString(Templates.moduleDir().getParent().resolve("docs/deploying.md"));
    for (String name :
        List.of(
            "amifleet-worker.service", "amifleet-dispatch.service", "amifleet-collect.service")) {
      String doc = unit(name).get("Documentation");
      assertThat(doc).startsWith("file:///opt/amifleet/");
      String installed = doc.substring("file:///opt/amifleet/".length());
      assertThat(Templates.moduleDir().getParent().resolve(installed)).as(name).exists();
      assertThat(guide)
          .as("docs/deploying.md copies %s to /opt/amifleet", installed)
          .containsPattern(
              "sudo cp -r [^\\n]*\\b"
                  + installed.substring(0, installed.indexOf('/'))
                  + "\\b[^\\n]* /opt/amifleet/");
    }
  }

  private static void assertHardened(Map<String, String> unit) {
    assertThat(unit.get("User")).isNotBlank().isNotEqualTo("root");
    assertThat(unit)
        .containsEntry("EnvironmentFile", "/etc/amifleet/amifleet.env")
        .containsEntry("NoNewPrivileges", "yes")
        .containsEntry("ProtectSystem", "strict")
        .containsEntry("ProtectHome", "yes")
        .containsEntry("PrivateTmp", "yes")
        .containsEntry("CapabilityBoundingSet", "");
  }

  /** Key=value lines of a unit file (last one wins; sections are not told apart). */
  private static Map<String, String> unit(String name) throws IOException {
    Path file = Templates.moduleDir().resolve("systemd").resolve(name);
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      int eq = line.indexOf('=');
      if (!line.startsWith("#") && !line.startsWith("[") && eq > 0) {
        values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
      }
    }
    return values;
  }

  private static int indexStartingWith(List<String> lines, String prefix) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(prefix)) {
        return i;
      }
    }
    return -1;
  }
}
