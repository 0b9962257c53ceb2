package io.amifleet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.emulator.realistic.CreatedImages;
import io.amifleet.emulator.realistic.ProxyStats;
import io.amifleet.emulator.realistic.RealismSettings;
import io.amifleet.emulator.realistic.Rule;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 15's goals for scenario 1, checked against the median runs of one profile, every ratio from
 * numbers of the same harness run; and scenario 2, amifleet's API economy. Under the permissive
 * profile: amifleet with its limiter opened against the boto3 peer (wall, client + emulator CPU),
 * its CPU per job past start-up and its start-up to the first CreateImage. Under the realistic
 * profile: amifleet with defaults FAILED nothing and stays within 1.1x of the floor of its own run
 * ({@link #pendingFloorMillis(Collection)}: the CreateImage bucket and the pending times the layer
 * drew in that run); the peer's outcome beside it, against the floor of its run. Under both: the
 * seed's target, the shell loop at least 30 times slower than amifleet. Stateless apart from the
 * estate's size.
 */
final class CompetitorGoals {
  /**
   * EC2's CreateImage bucket per account+region: 50 calls at once, then 5 per second
   * (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html), as the realistic
   * layer applies it.
   */
  static final int CREATE_IMAGE_BURST = 50;

  static final int CREATE_IMAGE_REFILL_PER_SECOND = 5;

  /** What a run's floor is, as the report names it. */
  static final String PENDING_FLOOR =
      "floor of this run: bucket (k-50)/5 s + each image's drawn pending, max";

  private final Estate estate;

  CompetitorGoals(Estate estate) {
    this.estate = estate;
  }

  /**
   * The least time EC2's CreateImage bucket alone allows for N images in one account+region: {@link
   * #CREATE_IMAGE_BURST} at once, then {@link #CREATE_IMAGE_REFILL_PER_SECOND} per second. Null
   * when N fits the bucket (no floor). It ignores that every image then stays pending.
   */
  static Long throttleFloorMillis(int n) {
    return n <= CREATE_IMAGE_BURST
        ? null
        : (n - CREATE_IMAGE_BURST) * 1000L / CREATE_IMAGE_REFILL_PER_SECOND;
  }

  /**
   * A lower bound on the wall time of one run, from the pending times the layer drew in it: the
   * largest, over each account+region and each k from 1 to the images made there, of max(0, k - 50)
   * / 5 s + the pending time of the k-th image made there. The k-th image of an account+region
   * cannot be made before the bucket (full at most, at the start of the run) has granted k
   * CreateImage calls, which is at least (k - 50) / 5 s into the run, and cannot stop being pending
   * before its own pending time after that; and a client that waits for its images cannot finish
   * before they stop being pending. Throttled and refused calls only make the k-th grant later, so
   * it stays a lower bound.
   *
   * @param pendingNanos per account+region, the pending time of each image made there, in the order
   *     they were made
   * @return milliseconds, rounded down; null when no image was made
   */
  static Long pendingFloorMillis(Collection<List<Long>> pendingNanos) {
    long floor = -1;
    for (List<Long> made : pendingNanos) {
      for (int k = 1; k <= made.size(); k++) {
        long bucket =
            Math.max(0, k - CREATE_IMAGE_BURST) * 1_000_000_000L / CREATE_IMAGE_REFILL_PER_SECOND;
        floor = Math.max(floor, bucket + made.get(k - 1));
      }
    }
    return floor < 0 ? null : floor / 1_000_000;
  }

  /**
   * {@link #pendingFloorMillis(Collection)} of the images one run made through the layer; null when
   * it made none, or when the layer did not apply EC2's CreateImage bucket (then the bound does not
   * hold).
   */
  static Long pendingFloorMillis(RealismSettings settings, CreatedImages.Snapshot made) {
    RealismSettings.Bucket ec2 =
        new RealismSettings.Bucket(CREATE_IMAGE_BURST, CREATE_IMAGE_REFILL_PER_SECOND);
    if (!settings.on(Rule.THROTTLING) || !settings.bucket("CreateImage").equals(ec2)) {
      return null;
    }
    return pendingFloorMillis(made.pendingNanosByAccountRegion().values());
  }

  void permissive(
      List<Measure> measures,
      Map<Competitor, CompetitorRun> median,
      Long startupMillis,
      Long sdkFloorMillis,
      ObjectNode json) {
    String s = "1. permissive layer: amifleet run (limiter opened) vs the boto3 pool";
    imagesCheck(measures, s, median);
    CompetitorRun amifleet = median.get(Competitor.AMIFLEET_OPEN);
    CompetitorRun peer = median.get(Competitor.BOTO3_POOL);
    if (amifleet != null && peer != null) {
      measures.add(
          Measure.check(
              s,
              "wall, amifleet / peer",
              ShellLoopScenario.seconds(amifleet.wallMillis())
                  + " / "
                  + ShellLoopScenario.seconds(peer.wallMillis())
                  + ratio(amifleet.wallMillis(), peer.wallMillis()),
              "<= 1x",
              amifleet.wallMillis() <= peer.wallMillis()));
      Long a = amifleet.totalCpuMillis();
      Long p = peer.totalCpuMillis();
      measures.add(
          a == null || p == null
              ? Measure.info(s, "client + emulator CPU", "not measured (moto is not ours)")
              : Measure.check(
                  s,
                  "client + emulator CPU, amifleet / peer",
                  ShellLoopScenario.seconds(a) + " / " + ShellLoopScenario.seconds(p) + ratio(a, p),
                  "<= 1x",
                  a <= p));
    }
    if (amifleet != null) {
      Double perJob = amifleet.cpuPerJobPastStartupMillis(estate.jobs());
      measures.add(
          perJob == null
              ? Measure.info(s, "amifleet client CPU per job past start-up", "not measured")
              : Measure.check(
                  s,
                  "amifleet client CPU per job past start-up",
                  String.format(
                      Locale.ROOT,
                      "%.1f ms (%s of %s before the first CreateImage)",
                      perJob,
                      ShellLoopScenario.seconds(amifleet.cpuAtFirstCreateImageMillis()),
                      ShellLoopScenario.seconds(amifleet.clientCpuMillis())),
                  "<= 10 ms",
                  perJob <= 10));
      Long first = amifleet.firstCreateImageMillis();
      measures.add(
          first == null
              ? Measure.check(
                  s, "amifleet start-up to the first CreateImage", "none", "<= 1 s", false)
              : Measure.check(
                  s,
                  "amifleet start-up to the first CreateImage",
                  ShellLoopScenario.seconds(first),
                  "<= 1 s",
                  first <= 1000));
    }
    if (amifleet != null && startupMillis != null && sdkFloorMillis != null) {
      long floor = startupMillis + sdkFloorMillis;
      measures.add(
          Measure.info(
              s,
              "floor: --version start-up (median of 3) + SDK CreateImage calls on moto",
              ShellLoopScenario.seconds(startupMillis)
                  + " + "
                  + ShellLoopScenario.seconds(sdkFloorMillis)
                  + " = "
                  + ShellLoopScenario.seconds(floor)));
      double vs = amifleet.wallMillis() / (double) floor;
      measures.add(
          Measure.check(
              s,
              "amifleet (limiter opened) / floor",
              String.format(Locale.ROOT, "%.2fx", vs),
              "<= 2x",
              vs <= 2));
      json.put("startupMillis", startupMillis)
          .put("sdkCreateImageMillis", sdkFloorMillis)
          .put("floorMillis", floor);
    }
  }

  void realistic(List<Measure> measures, Map<Competitor, CompetitorRun> median, Long bucketAlone) {
    String s =
        "1. realistic layer at EC2's buckets (CreateImage 50, 5/s), N = "
            + estate.instancesPerAccount()
            + " per account+region";
    imagesCheck(measures, s, median);
    measures.add(
        Measure.info(
            s,
            "CreateImage bucket alone (N - 50) / 5 (no pending time)",
            bucketAlone == null
                ? "none (N <= 50 fits the bucket)"
                : ShellLoopScenario.seconds(bucketAlone)));
    CompetitorRun amifleet = median.get(Competitor.AMIFLEET);
    if (amifleet != null) {
      measures.add(
          Measure.check(
              s,
              "amifleet (defaults) jobs FAILED",
              Integer.toString(amifleet.failed()),
              "= 0",
              amifleet.failed() == 0));
      String name = "amifleet (defaults) wall / " + PENDING_FLOOR;
      Long floor = amifleet.pendingFloorMillis();
      if (floor == null || floor == 0) {
        measures.add(Measure.info(s, name, notMeasured(floor)));
      } else {
        double r = amifleet.wallMillis() / (double) floor;
        measures.add(
            Measure.check(s, name, overFloor(amifleet.wallMillis(), floor), "<= 1.1x", r <= 1.1));
      }
    }
    CompetitorRun peer = median.get(Competitor.BOTO3_POOL);
    if (peer != null) {
      JsonNode rep = peer.report();
      Long floor = peer.pendingFloorMillis();
      measures.add(
          Measure.info(
              s,
              "boto3 pool: images failed / CreateImage retried / throttles seen; wall / floor of"
                  + " its run",
              peer.failed()
                  + " / "
                  + rep.path("createImageRetried").asInt()
                  + " images ("
                  + rep.path("createImageRetries").asInt()
                  + " retries) / "
                  + rep.path("createImageThrottles").asInt()
                  + "; "
                  + (floor == null || floor == 0
                      ? "wall "
                          + ShellLoopScenario.seconds(peer.wallMillis())
                          + ", floor "
                          + notMeasured(floor)
                      : overFloor(peer.wallMillis(), floor))));
    }
  }

  /** "32.00 s / 29.10 s = 1.10x". */
  static String overFloor(long wallMillis, long floorMillis) {
    return ShellLoopScenario.seconds(wallMillis)
        + " / "
        + ShellLoopScenario.seconds(floorMillis)
        + String.format(Locale.ROOT, " = %.2fx", wallMillis / (double) floorMillis);
  }

  private static String notMeasured(Long floor) {
    return floor == null
        ? "not measured (no image made through the layer at EC2's CreateImage bucket in this run)"
        : "0 s (no wait drawn: nothing to compare with)";
  }

  /** What each competitor says of itself agrees with moto: images = jobs - FAILED. */
  private void imagesCheck(List<Measure> measures, String s, Map<Competitor, CompetitorRun> m) {
    StringBuilder value = new StringBuilder();
    boolean all = true;
    for (CompetitorRun r : m.values()) {
      value.append(value.length() == 0 ? "" : " / ").append(r.images());
      all &= r.images() == estate.jobs() - r.failed();
    }
    measures.add(
        Measure.check(
            s, "images in moto, by competitor", value.toString(), "= jobs - FAILED", all));
  }

  /** The seed's target: the shell loop at least 30 times slower than amifleet. */
  void shellLoop(
      List<Measure> measures, LayerProfile profile, Map<Competitor, CompetitorRun> median) {
    CompetitorRun loop = median.get(Competitor.SHELL_LOOP);
    Competitor against =
        profile == LayerProfile.PERMISSIVE ? Competitor.AMIFLEET_OPEN : Competitor.AMIFLEET;
    CompetitorRun amifleet = median.get(against);
    if (loop == null || amifleet == null) {
      return;
    }
    double r = loop.wallMillis() / (double) amifleet.wallMillis();
    measures.add(
        Measure.check(
            "1. " + profile.id() + " layer: vs the shell loop",
            "shell loop / " + against.label(),
            ShellLoopScenario.seconds(loop.wallMillis())
                + " / "
                + ShellLoopScenario.seconds(amifleet.wallMillis())
                + String.format(Locale.ROOT, " = %.1fx", r),
            ">= 30x",
            r >= 30));
  }

  /** Scenario 2: amifleet's calls per job in its realistic run with defaults. */
  void apiEconomy(CompetitorRun run, List<Measure> measures, ObjectNode json) {
    int jobs = estate.jobs();
    String s2 = "2. API economy, amifleet run (defaults, realistic layer, " + jobs + " jobs)";
    CompetitorRun.callsJson(json.putObject("layerCalls"), run.calls());
    ObjectNode sqsCalls = json.putObject("apiCalls");
    run.ownCalls().forEach(sqsCalls::put);
    long create = count(run, "EC2.CreateImage");
    long throttled = run.throttled("EC2.CreateImage");
    double describe = count(run, "EC2.DescribeImages") / (double) jobs;
    long assume = count(run, "STS.AssumeRole");
    long sqs = run.ownCalls().values().stream().mapToLong(Long::longValue).sum();
    double sqsPerJob = sqs / (double) jobs;
    measures.add(
        Measure.check(
            s2,
            "CreateImage per job (throttled attempts included)",
            String.format(Locale.ROOT, "%.2f (%d throttled)", create / (double) jobs, throttled),
            "= 1",
            create - throttled == jobs));
    measures.add(
        Measure.info(
            s2,
            "DescribeImages per job (look-ups + waiting)",
            String.format(Locale.ROOT, "%.2f", describe)));
    measures.add(
        Measure.check(
            s2,
            "AssumeRole per account+region",
            String.format(Locale.ROOT, "%.2f", assume / (double) estate.accounts().size()),
            "<= 1",
            assume <= estate.accounts().size()));
    // run's queue is in-process (no SQS call to count); the fleet's SQS economy is the dispatch
    // scenario's SendMessageBatch count.
    measures.add(
        sqs == 0
            ? Measure.info(
                s2, "SQS calls per job (amifleet's own count)", "none: run's queue is in-process")
            : Measure.check(
                s2,
                "SQS calls per job, dispatch included (amifleet's own count)",
                String.format(Locale.ROOT, "%.3f (%d calls)", sqsPerJob, sqs),
                "<= 0.5",
                sqsPerJob <= 0.5));
  }

  private static long count(CompetitorRun run, String api) {
    ProxyStats.Count c = run.calls().get(api);
    return c == null ? 0 : c.calls();
  }

  private static String ratio(long a, long b) {
    return b == 0 ? "" : String.format(Locale.ROOT, " = %.2fx", a / (double) b);
  }
}
