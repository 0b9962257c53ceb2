package io.amifleet.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.emulator.realistic.ProxyStats;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one competitor did and cost in one run of scenario 1, all measured in that run. Times in
 * milliseconds; a null figure was not measured (and is shown as such, never guessed).
 *
 * @param competitor who ran
 * @param profile the layer's profile it ran under
 * @param round which round of the profile (1-based)
 * @param command the command line, as run
 * @param loadAverage the machine's 1-minute load average when it started (the machine is shared)
 * @param exitCode its exit code
 * @param wallMillis from start to exit
 * @param clientCpuMillis user + system CPU of its whole process tree
 * @param motoCpuMillis moto's CPU during the run; null when moto is not this harness's
 * @param layerCpuMillis the realistic layer's CPU during the run (its event-loop threads)
 * @param images images the estate's accounts own in moto afterwards
 * @param failed jobs that did not end with an image, as the competitor reports them (the shell loop
 *     reports nothing: instances left without an image)
 * @param firstCreateImageMillis from start to the first CreateImage answered
 * @param cpuAtFirstCreateImageMillis the client's CPU by then (its start-up); null when not read
 * @param lastCreateImageMillis from start to the last successful CreateImage
 * @param pendingFloorMillis the least wall time any client that waits for its images could have had
 *     in this run, from the pending times the layer drew for its images ({@link
 *     CompetitorGoals#pendingFloorMillis( java.util.Collection)}); null when not measured (no image
 *     made at EC2's CreateImage bucket) or not a floor for this competitor (the shell loop does not
 *     wait for its images)
 * @param calls EC2 and STS calls by operation as the layer counted them (throttled included)
 * @param ownCalls calls the competitor counted itself where the layer cannot see them (amifleet's
 *     embedded SQS); empty otherwise
 * @param report the competitor's own summary (the peer's JSON; amifleet's report totals), or null
 */
record CompetitorRun(
    Competitor competitor,
    LayerProfile profile,
    int round,
    List<String> command,
    double loadAverage,
    int exitCode,
    long wallMillis,
    long clientCpuMillis,
    Long motoCpuMillis,
    long layerCpuMillis,
    int images,
    int failed,
    Long retried,
    Long firstCreateImageMillis,
    Long cpuAtFirstCreateImageMillis,
    Long lastCreateImageMillis,
    Long pendingFloorMillis,
    Map<String, ProxyStats.Count> calls,
    Map<String, Long> ownCalls,
    JsonNode report) {

  CompetitorRun {
    requireNonNull(competitor, "competitor is null");
    requireNonNull(profile, "profile is null");
    command = List.copyOf(command);
    calls = Collections.unmodifiableMap(new TreeMap<>(calls));
    ownCalls = Collections.unmodifiableMap(new TreeMap<>(ownCalls));
  }

  /** The client's and the emulator's CPU together; null when moto's is not known. */
  Long totalCpuMillis() {
    return motoCpuMillis == null ? null : clientCpuMillis + motoCpuMillis + layerCpuMillis;
  }

  /** The emulator's CPU (moto and the layer); null when moto's is not known. */
  Long emulatorCpuMillis() {
    return motoCpuMillis == null ? null : motoCpuMillis + layerCpuMillis;
  }

  /**
   * Client CPU per job past start-up (the CPU used before the first CreateImage), in ms; null when
   * the start-up was not read.
   */
  Double cpuPerJobPastStartupMillis(int jobs) {
    return cpuAtFirstCreateImageMillis == null
        ? null
        : (clientCpuMillis - cpuAtFirstCreateImageMillis) / (double) jobs;
  }

  long throttled(String api) {
    ProxyStats.Count c = calls.get(api);
    return c == null ? 0 : c.throttled();
  }

  long totalThrottled() {
    return calls.values().stream().mapToLong(ProxyStats.Count::throttled).sum();
  }

  /** The run as JSON, every figure in it. */
  ObjectNode toJson(ObjectMapper mapper, int jobs) {
    CompetitorRun r = this;
    ObjectNode n = mapper.createObjectNode();
    n.put("competitor", r.competitor().id())
        .put("profile", r.profile().id())
        .put("round", r.round());
    ArrayNode command = n.putArray("command");
    r.command().forEach(command::add);
    n.put("loadAverage", r.loadAverage())
        .put("exitCode", r.exitCode())
        .put("wallMillis", r.wallMillis())
        .put("clientCpuMillis", r.clientCpuMillis())
        .put("motoCpuMillis", r.motoCpuMillis())
        .put("layerCpuMillis", r.layerCpuMillis())
        .put("clientAndEmulatorCpuMillis", r.totalCpuMillis())
        .put("images", r.images())
        .put("failed", r.failed())
        .put("retried", r.retried())
        .put("firstCreateImageMillis", r.firstCreateImageMillis())
        .put("clientCpuAtFirstCreateImageMillis", r.cpuAtFirstCreateImageMillis())
        .put("lastCreateImageMillis", r.lastCreateImageMillis())
        .put("pendingFloorMillis", r.pendingFloorMillis())
        .put("clientCpuPerJobPastStartupMillis", r.cpuPerJobPastStartupMillis(jobs));
    callsJson(n.putObject("layerCalls"), r.calls());
    ObjectNode own = n.putObject("ownCalls");
    r.ownCalls().forEach(own::put);
    n.set("report", r.report());
    return n;
  }

  /** The layer's counts by operation into {@code target}. */
  static void callsJson(ObjectNode target, Map<String, ProxyStats.Count> calls) {
    calls.forEach(
        (op, c) ->
            target
                .putObject(op)
                .put("calls", c.calls())
                .put("throttled", c.throttled())
                .put("errors", c.errors()));
  }
}
