package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.cli.testing.Cli;
import io.amifleet.cli.testing.JarProcess;
import io.amifleet.common.json.Json;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * The worker as a real process (the packaged jar), stopped with SIGTERM and killed with SIGKILL in
 * the middle of its work; a second worker finishes, and every instance ends with exactly one image.
 */
class ProcessSignalsIT {
  private static final Path JAR = Path.of("target/amifleet.jar");

  private final RealisticEmulator emulator = SharedEmulator.get();
  private EmulatedAws aws;
  private Seeder seeder;
  private Cli cli;
  private String prefix;
  private final List<Process> processes = new ArrayList<>();
  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    assertThat(JAR)
        .as("the packaged jar (built by mvn package before the integration tests)")
        .exists();
    emulator.reset();
    // The test's own set-up and checks talk to moto directly: they see at once what the workers
    // made (the workers go through the layer).
    aws = new EmulatedAws(emulator.motoEndpoint(), Cli.REGION);
    seeder = new Seeder(aws);
    cli = new Cli(emulator, Map.of());
    prefix = "s" + UUID.randomUUID().toString().substring(0, 8);
    assertThat(cli.run("queues", "create", "--queue-prefix", prefix).exitCode()).isZero();
  }

  @AfterEach
  void tearDown() {
    // A test that failed half-way leaves nothing running: its process and the process's children
    // (the demo's moto).
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    aws.close();
  }

  private Process worker(String... extra) throws Exception {
    List<String> command = new ArrayList<>(List.of(javaBin(), "-jar", JAR.toString(), "worker"));
    command.addAll(
        List.of(
            "--queue-prefix",
            prefix,
            "--endpoint-url",
            emulator.endpoint().toString(),
            "--region",
            Cli.REGION));
    command.addAll(List.of(extra));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("worker-" + processes.size() + ".log").toFile());
    Map<String, String> env = pb.environment();
    env.put("AWS_ACCESS_KEY_ID", EmulatedAws.ACCESS_KEY);
    env.put("AWS_SECRET_ACCESS_KEY", EmulatedAws.SECRET_KEY);
    env.remove("AWS_SESSION_TOKEN");
    env.remove("AWS_PROFILE");
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private String dispatch(Map<String, Integer> instancesPerAccount) throws Exception {
    StringBuilder accounts = new StringBuilder();
    for (var e : instancesPerAccount.entrySet()) {
      seeder.runInstances(e.getKey(), Cli.REGION, e.getValue(), Map.of("Backup", "nightly"));
      accounts.append("  - id: \"").append(e.getKey()).append("\"\n");
    }
    Path targets = dir.resolve("targets.yaml");
    Files.writeString(
        targets,
        "defaults: {regions: [us-east-1], select: {tags: {Backup: nightly}}}\naccounts:\n"
            + accounts);
    String runId = "sig-" + UUID.randomUUID().toString().substring(0, 6);
    Cli.Result r =
        cli.run(
            "dispatch",
            "--targets",
            targets.toString(),
            "--queue-prefix",
            prefix,
            "--run-id",
            runId);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return runId;
  }

  /** Images per source instance over the accounts. */
  private Map<String, Integer> imagesPerInstance(Set<String> accounts) {
    Map<String, Integer> count = new HashMap<>();
    for (String account : accounts) {
      for (Image i : seeder.ownedImages(account, Cli.REGION)) {
        String source =
            i.tags().stream()
                .filter(t -> t.key().equals("amifleet:source-instance"))
                .map(Tag::value)
                .findFirst()
                .orElse("?");
        count.merge(source, 1, Integer::sum);
      }
    }
    return count;
  }

  private void awaitImages(Set<String> accounts, int atLeast, Duration timeout)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (imagesPerInstance(accounts).values().stream().mapToInt(Integer::intValue).sum()
          >= atLeast) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("fewer than " + atLeast + " images after " + timeout);
  }

  private List<ResultMessage> results(String runId, int expect) {
    Cli.Result r =
        cli.run(
            "results",
            "--queue-prefix",
            prefix,
            "--run-id",
            runId,
            "--expect",
            Integer.toString(expect),
            "--timeout",
            "90s",
            "--output",
            "json");
    MessageCodec codec = new MessageCodec(Json.newMapper());
    return r.out().lines().map(codec::decodeResult).toList();
  }

  @Test
  void sigtermStopsTheWorkerWithinTheShutdownTimeoutAndItsReleasedJobsFinishElsewhere()
      throws Exception {
    String runId = dispatch(Map.of("111111111111", 30));
    Process first =
        worker(
            "--create-rate",
            "2",
            "--create-burst",
            "1",
            "--shutdown-timeout",
            "2s",
            "--poll-interval",
            "1s");
    awaitImages(Set.of("111111111111"), 3, Duration.ofSeconds(60));

    long start = System.nanoTime();
    first.destroy();
    boolean exited = first.waitFor(20, TimeUnit.SECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    String log = Files.readString(dir.resolve("worker-0.log"));
    assertThat(exited).as("exited after SIGTERM; log:\n" + log).isTrue();
    assertThat(first.exitValue()).as(log).isZero();
    assertThat(took).as(log).isLessThan(Duration.ofSeconds(12));
    assertThat(log).contains("SIGTERM received").contains("releasing").contains("worker stopped");

    Cli.Result second =
        cli.run(
            "worker", "--queue-prefix", prefix, "--exit-when-idle", "5s", "--poll-interval", "1s");
    assertThat(second.exitCode()).isZero();
    List<ResultMessage> results = results(runId, 30);
    assertThat(results.stream().map(ResultMessage::jobId).distinct()).hasSize(30);
    assertThat(results).allMatch(ResultMessage::succeeded);
    Map<String, Integer> images = imagesPerInstance(Set.of("111111111111"));
    assertThat(images)
        .hasSize(30)
        .allSatisfy((instance, n) -> assertThat(n).as(instance).isEqualTo(1));
  }

  @Test
  void sigkillInTheMiddleOfABatchLosesNothingAndMakesNoDuplicate() throws Exception {
    String runId = dispatch(Map.of("111111111111", 60, "222222222222", 60));
    Process first =
        worker(
            "--create-rate",
            "30",
            "--create-burst",
            "5",
            "--visibility-timeout",
            "30s",
            "--poll-interval",
            "1s");
    awaitImages(Set.of("111111111111", "222222222222"), 25, Duration.ofSeconds(60));

    first.destroyForcibly();
    assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
    int madeBeforeKill = imagesPerInstance(Set.of("111111111111", "222222222222")).size();
    assertThat(madeBeforeKill).as("killed in the middle").isBetween(25, 119);

    // The killed worker's messages reappear 30 s (the shortest visibility timeout) after their
    // last receive or extension: idle longer than that before giving up.
    Cli.Result second =
        cli.run(
            "worker",
            "--queue-prefix",
            prefix,
            "--exit-when-idle",
            "40s",
            "--poll-interval",
            "1s",
            "--receive-wait",
            "2s");
    assertThat(second.exitCode()).as(second.toString()).isZero();

    List<ResultMessage> results = results(runId, 120);
    Set<String> jobs = new HashSet<>();
    results.forEach(r -> jobs.add(r.jobId()));
    assertThat(jobs).as("every job has at least one result").hasSize(120);
    assertThat(results).allMatch(ResultMessage::succeeded);
    Map<String, Integer> images = imagesPerInstance(Set.of("111111111111", "222222222222"));
    assertThat(images)
        .as("every instance has exactly one image")
        .hasSize(120)
        .allSatisfy((instance, n) -> assertThat(n).as(instance).isEqualTo(1));
  }

  // --- Ctrl-C and idle stops ---

  private Process started(JarProcess jar, String name, String... args) throws Exception {
    Process p = jar.start(name, args);
    processes.add(p);
    return p;
  }

  private static void signal(Process p, String name) throws Exception {
    new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).start().waitFor();
  }

  private static void awaitText(JarProcess jar, String file, String text, Duration timeout)
      throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if ((jar.out(file) + jar.err(file)).contains(text)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "no '" + text + "' within " + timeout + ":\n" + jar.out(file) + jar.err(file));
  }

  private JarProcess jar() {
    return new JarProcess(dir)
        .emulatorCredentials()
        .env("AWS_ENDPOINT_URL", emulator.endpoint().toString());
  }

  @ParameterizedTest(name = "SIG{0}")
  @ValueSource(strings = {"TERM", "INT"})
  void anIdleWorkerStopsOnceItsPendingReceiveReturns(String signal) throws Exception {
    JarProcess jar = jar();
    Process worker =
        started(jar, "idle", "worker", "--queue-prefix", prefix, "--receive-wait", "2s");
    awaitText(jar, "idle", "worker started", Duration.ofSeconds(60));
    Thread.sleep(500); // its first long poll is pending now

    long start = System.nanoTime();
    signal(worker, signal);
    boolean exited = worker.waitFor(20, TimeUnit.SECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    String log = jar.err("idle");
    assertThat(exited).as(log).isTrue();
    assertThat(worker.exitValue()).as(log).isZero();
    // It lets the pending 2 s poll return (a cancelled one would still take jobs on the SQS side
    // and hide them): at most about 2 s; the bound leaves room for a loaded machine.
    assertThat(took).as(log).isLessThan(Duration.ofSeconds(6));
    assertThat(log)
        .contains(
            "SIG"
                + signal
                + " received: stopping: no new jobs, none held; the pending receive gets up to 2.0s"
                + " to return")
        .contains("press Ctrl-C again to quit now");
  }

  private Path slowTargets(int instances) throws Exception {
    seeder.runInstances("111111111111", Cli.REGION, instances, Map.of("Backup", "nightly"));
    Path targets = dir.resolve("targets.yaml");
    Files.writeString(
        targets,
        "defaults: {regions: [us-east-1], select: {tags: {Backup: nightly}}}\n"
            + "accounts:\n  - id: \"111111111111\"\n");
    return targets;
  }

  @Test
  void runsFirstCtrlCSaysWhatItWaitsForAndExitsZeroWhenEverythingFinishesInTheGracePeriod()
      throws Exception {
    Path targets = slowTargets(6);
    JarProcess jar = jar();
    // One CreateImage a second: the six held jobs take about five seconds, well inside 60 s.
    Process run =
        started(
            jar,
            "grace",
            "run",
            "--targets",
            targets.toString(),
            "--create-rate",
            "1",
            "--create-burst",
            "1",
            "--poll-interval",
            "1s",
            "--shutdown-timeout",
            "60s");
    awaitText(jar, "grace", "job(s) enqueued", Duration.ofSeconds(60));

    signal(run, "INT");
    assertThat(run.waitFor(90, TimeUnit.SECONDS)).as(jar.err("grace")).isTrue();

    String err = jar.err("grace");
    assertThat(err)
        .contains("SIGINT received: stopping: no new jobs;")
        .contains("get up to 1m00s to finish")
        .contains("press Ctrl-C again to quit now");
    assertThat(run.exitValue()).as(err + jar.out("grace")).isZero();
    assertThat(jar.out("grace")).contains("6 result(s): 6 succeeded");
  }

  @Test
  void runExits130WhenCtrlCLeftJobsUnfinished() throws Exception {
    Path targets = slowTargets(20);
    JarProcess jar = jar();
    Process run =
        started(
            jar,
            "cut",
            "run",
            "--targets",
            targets.toString(),
            "--create-rate",
            "1",
            "--create-burst",
            "1",
            "--shutdown-timeout",
            "1s");
    awaitText(jar, "cut", "job(s) enqueued", Duration.ofSeconds(60));

    signal(run, "INT");
    assertThat(run.waitFor(60, TimeUnit.SECONDS)).as(jar.err("cut")).isTrue();

    assertThat(run.exitValue()).as(jar.err("cut")).isEqualTo(130);
    assertThat(jar.out("cut")).contains("did not finish").contains("rerun with --run-id");
  }

  @Test
  void aSecondCtrlCDuringTheDemoQuitsAndStopsItsEmulator() throws Exception {
    JarProcess jar = new JarProcess(dir);
    Process demo =
        started(jar, "demo", "demo", "--dir", dir.resolve("demo").toString(), "--pending", "60s");
    awaitText(jar, "demo", "4. Running", Duration.ofSeconds(120));
    List<ProcessHandle> children = demo.descendants().toList();
    assertThat(children).as("the demo's emulator runs as a child process").isNotEmpty();

    signal(demo, "INT");
    awaitText(jar, "demo", "press Ctrl-C again to quit now", Duration.ofSeconds(10));
    signal(demo, "INT");

    assertThat(demo.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(demo.exitValue()).as(jar.out("demo") + jar.err("demo")).isEqualTo(130);
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (children.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < end) {
      Thread.sleep(100);
    }
    assertThat(children.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid))
        .as("child processes left running")
        .isEmpty();
  }
}
