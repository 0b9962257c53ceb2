package io.amifleet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.realistic.CreatedImages;
import io.amifleet.emulator.realistic.ProxyStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Scenarios 1 and 2 (the class keeps the name of where it began, the shell loop, and the region the
 * other scenarios use). Scenario 1 races the {@link Competitor}s on the same {@link Estate}, each
 * from a freshly reset emulator, under each {@link LayerProfile}, all with a 1 s poll interval; for
 * each run it measures the wall time, the CPU of the competitor's process tree, of moto and of the
 * layer, the images in moto, the jobs FAILED, the calls by operation and the throttles as the layer
 * counted them, and when the first and the last CreateImage were answered ({@link CompetitorRun}).
 * It prints the runs side by side and checks issue 15's goals against numbers of this run only
 * ({@link CompetitorGoals}): under the permissive profile amifleet (limiter opened) against the
 * boto3 peer; under the realistic one amifleet (defaults) against the floor of its own run, the
 * least wall time the CreateImage bucket and the pending times the layer drew for that run's images
 * allow (the bucket alone, (N - 50) / 5 s for N instances per account+region, is shown beside it);
 * the shell loop against amifleet (at least 30 times slower). Scenario 2 is amifleet's API economy
 * in its realistic run with defaults. Runs one competitor at a time (the machine has two cores);
 * its files stay in the work directory; not thread-safe.
 */
final class ShellLoopScenario {
  static final String REGION = "us-east-1";
  static final String POLL_INTERVAL = "1s";

  private final BenchConfig config;
  private final RealisticEmulator emulator;
  private final ObjectMapper mapper;
  private final Path work;
  private final Estate estate;
  private final Optional<MotoProcess> moto;
  private final List<String> tables = new ArrayList<>();

  ShellLoopScenario(
      BenchConfig config, RealisticEmulator emulator, ObjectMapper mapper, Path work) {
    this.config = config;
    this.emulator = emulator;
    this.mapper = mapper;
    this.work = work;
    this.estate = new Estate(emulator, config.accounts(), config.instances());
    this.moto = MotoProcess.find(emulator.motoEndpoint());
  }

  /** The side-by-side tables (Markdown), once {@link #run} has run. */
  List<String> tables() {
    return tables;
  }

  void run(List<Measure> measures, ObjectNode json) throws Exception {
    ObjectNode out = json.putObject("competitors");
    out.putObject("estate")
        .put("accounts", estate.accounts().size())
        .put("instancesPerAccount", estate.instancesPerAccount())
        .put("jobs", estate.jobs())
        .put("region", REGION);
    out.put("pollInterval", POLL_INTERVAL);
    out.put("motoPid", moto.map(MotoProcess::pid).orElse(null));
    out.put(
        "motoCpu",
        moto.isPresent()
            ? "measured from /proc"
            : "not measured: moto is not this harness's (" + emulator.description() + ")");
    out.set("tools", checkTools());
    warmUp();

    List<CompetitorRun> runs = new ArrayList<>();
    Long sdkFloorMillis = null;
    Long startupMillis = null;
    for (LayerProfile profile : config.profiles()) {
      for (int round = 1; round <= config.repeat(); round++) {
        for (Competitor c : config.competitors()) {
          if (!config.races(c, profile) || (c == Competitor.SHELL_LOOP && round > 1)) {
            continue; // the shell loop takes minutes: once per profile
          }
          runs.add(runOne(c, profile, round));
        }
      }
      if (profile == LayerProfile.PERMISSIVE
          && config.races(Competitor.AMIFLEET_OPEN, LayerProfile.PERMISSIVE)) {
        startupMillis = versionStartup();
        sdkFloorMillis = sdkCreateImages();
      }
    }

    ArrayNode all = out.putArray("runs");
    runs.forEach(r -> all.add(r.toJson(mapper, estate.jobs())));
    CompetitorGoals goals = new CompetitorGoals(estate);
    CompetitorRun realisticDefaults = null;
    for (LayerProfile profile : config.profiles()) {
      Map<Competitor, List<CompetitorRun>> byCompetitor = byCompetitor(runs, profile);
      Map<Competitor, CompetitorRun> median = new LinkedHashMap<>();
      byCompetitor.forEach((c, list) -> median.put(c, medianByWall(list)));
      Long floor =
          profile == LayerProfile.REALISTIC
              ? CompetitorGoals.throttleFloorMillis(estate.instancesPerAccount())
              : null;
      tables.add(CompetitorTable.render(title(profile), byCompetitor, median, estate.jobs()));
      ObjectNode p = out.putObject(profile.id());
      p.put("settings", profile.settings(config).toString());
      if (floor != null) {
        p.put("throttleFloorMillis", floor);
      }
      ObjectNode medians = p.putObject("medianRunByCompetitor");
      median.forEach((c, r) -> medians.put(c.id(), r.round()));
      if (profile == LayerProfile.PERMISSIVE) {
        goals.permissive(measures, median, startupMillis, sdkFloorMillis, p);
      } else {
        goals.realistic(measures, median, floor);
      }
      goals.shellLoop(measures, profile, median);
      if (profile == LayerProfile.REALISTIC) {
        realisticDefaults = median.get(Competitor.AMIFLEET);
      }
    }
    if (realisticDefaults != null) {
      goals.apiEconomy(realisticDefaults, measures, json);
    }
  }

  private String title(LayerProfile profile) {
    return "1. "
        + estate.accounts().size()
        + " accounts x "
        + estate.instancesPerAccount()
        + " instances, "
        + profile.id()
        + " layer"
        + (profile == LayerProfile.REALISTIC
            ? " (images pending up to " + config.pending().toSeconds() + " s)"
            : "")
        + ", poll "
        + POLL_INTERVAL
        + (config.repeat() > 1
            ? ", the median of " + config.repeat() + " rounds by wall (the shell loop: one)"
            : "");
  }

  /** Fails at once, saying what to install, when a competitor's tool is missing. */
  private ObjectNode checkTools() {
    ObjectNode tools = mapper.createObjectNode();
    if (config.competitors().contains(Competitor.SHELL_LOOP)) {
      tools.put(
          "awsCli",
          version(
              List.of("aws", "--version"),
              "the shell loop needs the aws CLI on PATH (pip install awscli, or see"
                  + " https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html),"
                  + " or leave it out: --competitors "
                  + Competitor.names().replace("shell-loop,", "")));
    }
    if (config.competitors().contains(Competitor.BOTO3_POOL)) {
      tools.put(
          "python",
          version(
              List.of(
                  "python3",
                  "-c",
                  "import sys, boto3, botocore; print(sys.version.split()[0], 'boto3',"
                      + " boto3.__version__, 'botocore', botocore.__version__)"),
              "the boto3 peer needs python3 with boto3 1.28 or newer (AWS_ENDPOINT_URL):"
                  + " pip install boto3, or apt install python3-boto3"));
    }
    return tools;
  }

  private String version(List<String> command, String howToGet) {
    Procs.Ran ran;
    try {
      ran = Procs.run(command, Map.of(), work.resolve("tool-version.log"), Duration.ofSeconds(60));
    } catch (IllegalStateException e) {
      throw new IllegalStateException(howToGet + " (" + e.getMessage() + ")", e);
    }
    if (ran.exitCode() != 0) {
      throw new IllegalStateException(howToGet + " (" + ran.output().strip() + ")");
    }
    return ran.output().strip();
  }

  /** moto loads its CreateImage code on first use: not on the first competitor's clock. */
  private void warmUp() {
    estate.reseed();
    try (EmulatedAws aws = new EmulatedAws(emulator.motoEndpoint(), REGION)) {
      Ec2Client ec2 = aws.ec2(estate.accounts().get(0), REGION);
      String id = ec2.describeInstances().reservations().get(0).instances().get(0).instanceId();
      String image =
          ec2.createImage(b -> b.instanceId(id).name("warm-up").noReboot(true)).imageId();
      ec2.describeImages(b -> b.imageIds(image));
    }
  }

  private CompetitorRun runOne(Competitor c, LayerProfile profile, int round) throws IOException {
    estate.reseed();
    emulator.layer().use(profile.settings(config));
    Path dir = Files.createDirectories(work.resolve(profile.id() + "-" + round + "-" + c.id()));
    List<String> command = command(c, dir);
    Map<String, String> env = new LinkedHashMap<>(Procs.awsEnv(REGION));
    env.put("AWS_ENDPOINT_URL", emulator.endpoint().toString());
    // boto3's and the aws CLI's own defaults, whatever this machine's user set.
    env.put("AWS_RETRY_MODE", "");
    env.put("AWS_MAX_ATTEMPTS", "");
    env.put("AWS_CONFIG_FILE", dir.resolve("no-aws-config").toString());
    double load = loadAverage();
    Long motoBefore = moto.map(m -> m.cpu().toMillis()).orElse(null);
    long layerBefore = emulator.layer().cpuNanos();
    ProxyStats.Snapshot before = emulator.layer().stats();
    CreatedImages.Snapshot madeBefore = emulator.layer().createdImages();
    CreateImageClock clock = new CreateImageClock(emulator.layer(), estate.jobs());
    MeteredProcess.Ran ran =
        MeteredProcess.run(
            command,
            env,
            dir.resolve("stdout"),
            dir.resolve("stderr"),
            c == Competitor.SHELL_LOOP ? Duration.ofHours(2) : Duration.ofMinutes(30),
            clock);
    Long motoCpu = moto.map(m -> m.cpu().toMillis() - motoBefore).orElse(null);
    long layerCpu = (emulator.layer().cpuNanos() - layerBefore) / 1_000_000;
    ProxyStats.Snapshot layer = emulator.layer().stats().since(before);
    // This run's images only: reseed() reset the layer, and since() leaves out any made before.
    Long pendingFloor =
        c.waitsForImages()
            ? CompetitorGoals.pendingFloorMillis(
                emulator.layer().settings(), emulator.layer().createdImages().since(madeBefore))
            : null;
    int images = estate.images();
    int failed;
    Long retried = null;
    JsonNode report = null;
    Map<String, Long> ownCalls = new TreeMap<>();
    switch (c) {
      case SHELL_LOOP -> failed = estate.jobs() - images;
      case BOTO3_POOL -> {
        report = peerSummary(ran);
        failed =
            report.get("createFailed").asInt()
                + report.get("failed").asInt()
                + report.get("timedOut").asInt();
        retried = report.get("createImageRetried").asLong();
      }
      default -> {
        Path file = dir.resolve("report.json");
        if (ran.exitCode() > 1 || !Files.exists(file)) {
          throw new IllegalStateException(
              "amifleet run failed (exit " + ran.exitCode() + "):\n" + ran.tail());
        }
        JsonNode full = mapper.readTree(file.toFile());
        report = full.get("totals");
        failed =
            report.get("failed").asInt()
                + report.get("timedOut").asInt()
                + report.get("unfinished").asInt();
        long later = 0;
        for (JsonNode result : full.get("results")) {
          later += result.path("attempt").asInt(1) > 1 ? 1 : 0;
        }
        retried = later;
        for (Map.Entry<String, JsonNode> e : full.get("apiCalls").properties()) {
          if (e.getKey().startsWith("SQS.")) {
            ownCalls.put(e.getKey(), e.getValue().get("calls").asLong());
          }
        }
      }
    }
    CompetitorRun run =
        new CompetitorRun(
            c,
            profile,
            round,
            command,
            load,
            ran.exitCode(),
            ran.wall().toMillis(),
            ran.cpu().toMillis(),
            motoCpu,
            layerCpu,
            images,
            failed,
            retried,
            clock.firstMillis(),
            clock.cpuAtFirstMillis(),
            clock.lastMillis(),
            pendingFloor,
            layer.byApi(),
            ownCalls,
            report);
    System.err.printf(
        Locale.ROOT,
        "bench:   %s, round %d, %s: %s wall%s, %s client CPU, %d images, %d failed, exit %d%n",
        profile.id(),
        round,
        c.id(),
        seconds(run.wallMillis()),
        pendingFloor == null ? "" : " (floor of its run " + seconds(pendingFloor) + ")",
        seconds(run.clientCpuMillis()),
        images,
        failed,
        ran.exitCode());
    return run;
  }

  private List<String> command(Competitor c, Path dir) throws IOException {
    return switch (c) {
      case SHELL_LOOP -> {
        List<String> command =
            new ArrayList<>(
                List.of("bash", "bench/peers/shell_loop.sh", emulator.endpoint().toString()));
        command.addAll(estate.accounts());
        yield command;
      }
      case BOTO3_POOL -> {
        Path file = dir.resolve("estate.json");
        estate.writePeerEstate(file, mapper);
        yield List.of(
            "python3",
            "bench/peers/boto3_pool.py",
            "--estate",
            file.toString(),
            "--poll-interval",
            "1");
      }
      case AMIFLEET, AMIFLEET_OPEN -> {
        Path targets = dir.resolve("targets.yaml");
        estate.writeTargets(targets);
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
                    POLL_INTERVAL,
                    "--report",
                    dir.resolve("report.json").toString(),
                    "--stats"));
        if (c == Competitor.AMIFLEET_OPEN) {
          // Opened past the instances per account+region: every CreateImage at once.
          String open = Integer.toString(estate.instancesPerAccount() + 1);
          command.addAll(List.of("--create-burst", open, "--create-rate", open));
        }
        yield command;
      }
    };
  }

  private JsonNode peerSummary(MeteredProcess.Ran ran) {
    List<String> lines = ran.out().lines().filter(l -> l.startsWith("{")).toList();
    if (ran.exitCode() > 1 || lines.isEmpty()) {
      throw new IllegalStateException(
          "the boto3 peer failed (exit " + ran.exitCode() + "):\n" + ran.tail());
    }
    try {
      return mapper.readTree(lines.get(lines.size() - 1));
    } catch (IOException e) {
      throw new IllegalStateException("the boto3 peer printed no JSON summary:\n" + ran.tail(), e);
    }
  }

  private static double loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).split(" ");
      return Double.parseDouble(f[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static Map<Competitor, List<CompetitorRun>> byCompetitor(
      List<CompetitorRun> runs, LayerProfile profile) {
    Map<Competitor, List<CompetitorRun>> by = new LinkedHashMap<>();
    for (CompetitorRun r : runs) {
      if (r.profile() == profile) {
        by.computeIfAbsent(r.competitor(), k -> new ArrayList<>()).add(r);
      }
    }
    return by;
  }

  /** The run of median wall time (the lower middle one of an even count). */
  static CompetitorRun medianByWall(List<CompetitorRun> runs) {
    List<CompetitorRun> sorted = new ArrayList<>(runs);
    sorted.sort(Comparator.comparingLong(CompetitorRun::wallMillis));
    return sorted.get((sorted.size() - 1) / 2);
  }

  /** Median wall time of three {@code amifleet --version}: the JVM's start-up alone. */
  private long versionStartup() {
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
    return startups.get(1);
  }

  /** One SDK client making the estate's CreateImage calls back to back, straight at moto. */
  private long sdkCreateImages() {
    estate.reseed();
    try (EmulatedAws aws = new EmulatedAws(emulator.motoEndpoint(), REGION)) {
      List<List<String>> instances = new ArrayList<>();
      for (String a : estate.accounts()) {
        Ec2Client ec2 = aws.ec2(a, REGION);
        instances.add(
            ec2.describeInstances().reservations().stream()
                .flatMap(r -> r.instances().stream())
                .map(i -> i.instanceId())
                .toList());
        ec2.describeRegions(); // connection and credentials ready before the clock starts
      }
      long start = System.nanoTime();
      for (int k = 0; k < estate.accounts().size(); k++) {
        Ec2Client ec2 = aws.ec2(estate.accounts().get(k), REGION);
        for (String id : instances.get(k)) {
          ec2.createImage(b -> b.instanceId(id).name(id + "-sdk").noReboot(true));
        }
      }
      return (System.nanoTime() - start) / 1_000_000;
    }
  }

  static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
  }
}
