package io.amifleet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.cli.embedded.EmbeddedSqs;
import io.amifleet.common.aws.AwsSettings;
import io.amifleet.common.config.Environment;
import io.amifleet.common.inject.Bootstrap;
import io.amifleet.common.json.Json;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.message.JobIds;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.queue.OutgoingMessage;
import io.amifleet.common.queue.QueueAdmin;
import io.amifleet.common.queue.QueueSender;
import io.amifleet.common.queue.QueueSettings;
import io.amifleet.common.queue.Queues;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.realistic.RealismSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Scenario 3: the waiting footprint. Seeds W instances in one account, puts W jobs on a queue, and
 * runs {@link FootprintProbe} in a JVM limited to 256 MB of heap against the realistic EC2 layer,
 * which keeps every image pending for {@code --pending-seconds}. The layer's CreateImage bucket is
 * raised to W for this scenario only: it measures waiting, and at EC2's 5/s the W images would take
 * W / 5 s to ask for (scenario 4 measures that).
 */
final class FootprintScenario {
  static final String ACCOUNT = "600000000001";
  static final long POLL_SECONDS = 2;

  private final BenchConfig config;
  private final RealisticEmulator emulator;
  private final Path work;

  FootprintScenario(BenchConfig config, RealisticEmulator emulator, Path work) {
    this.config = config;
    this.emulator = emulator;
    this.work = work;
  }

  void run(List<Measure> measures, ObjectNode json) throws Exception {
    emulator.reset();
    String prefix = "footprint";
    int w = config.waiting();
    List<String> instances;
    try (EmulatedAws aws = new EmulatedAws(emulator.motoEndpoint(), ShellLoopScenario.REGION)) {
      instances = new Seeder(aws).runInstances(ACCOUNT, ShellLoopScenario.REGION, w, Map.of());
    }
    // The queue is an ElasticMQ in this JVM (moto's SQS slows down as a queue grows into the
    // thousands); the probe's JVM holds only the worker, so its threads and heap are the worker's.
    RealismSettings normal = emulator.layer().settings();
    emulator
        .layer()
        .use(
            normal.toBuilder()
                .pending(config.pending(), config.pending())
                .timeScale(1)
                .bucket("CreateImage", new RealismSettings.Bucket(w, w))
                .build());
    Procs.Ran probe;
    try (Closer closer = new Closer()) {
      EmbeddedSqs sqs = closer.register("embedded SQS", EmbeddedSqs.start());
      var injector =
          Bootstrap.of(Environment.of(Map.of()), closer)
              .aws(
                  AwsSettings.defaults()
                      .withRegion(ShellLoopScenario.REGION)
                      .withEndpoint(emulator.endpoint())
                      .withSqsEndpoint(sqs.endpoint())
                      .withHubCredentials(EmulatedAws.hubCredentials()))
              .queues(QueueSettings.ofPrefix(prefix))
              .start();
      injector.getInstance(QueueAdmin.class).create(prefix, 5);
      MessageCodec codec = injector.getInstance(MessageCodec.class);
      List<OutgoingMessage> jobs =
          instances.stream()
              .map(
                  id ->
                      OutgoingMessage.of(
                          codec.encode(
                              JobMessage.of(
                                  JobIds.jobId("footprint", ACCOUNT, ShellLoopScenario.REGION, id),
                                  "footprint",
                                  ACCOUNT,
                                  ShellLoopScenario.REGION,
                                  "arn:aws:iam::" + ACCOUNT + ":role/AmiFleetCreator",
                                  null,
                                  id,
                                  "fp-" + id,
                                  false,
                                  Map.of(),
                                  false,
                                  Instant.now()))))
              .toList();
      var report =
          injector
              .getInstance(QueueSender.class)
              .sendAll(injector.getInstance(Queues.class).jobsUrl(), jobs);
      if (!report.failures().isEmpty()) {
        throw new IllegalStateException("could not enqueue: " + report.failures().get(0));
      }
      probe =
          Procs.run(
              List.of(
                  Procs.java(),
                  "-Xmx256m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  FootprintProbe.class.getName(),
                  emulator.endpoint().toString(),
                  sqs.endpoint().toString(),
                  prefix,
                  Integer.toString(w),
                  Long.toString(POLL_SECONDS)),
              Map.of(),
              work.resolve("footprint.log"),
              Duration.ofMinutes(15));
    } finally {
      emulator.layer().use(normal);
    }
    String line =
        probe
            .output()
            .lines()
            .filter(l -> l.startsWith("FOOTPRINT "))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "the footprint probe printed nothing:\n" + probe.output()));
    ObjectMapper mapper = Json.newMapper();
    JsonNode r = mapper.readTree(line.substring("FOOTPRINT ".length()));
    json.set("footprint", r);

    String s = "3. waiting footprint (W = " + w + ", -Xmx256m)";
    double heapMb = r.get("peakHeapBytes").asLong() / 1048576.0;
    int threads = r.get("peakLiveThreads").asInt();
    long calls = r.get("waitingDescribeImagesCalls").asLong();
    long polls = r.get("waiterPolls").asLong();
    measures.add(
        Measure.check(
            s,
            "jobs finished",
            r.get("finished").asInt() + " of " + w,
            "= W",
            r.get("finished").asInt() == w));
    measures.add(
        Measure.info(
            s, "images pending at once (peak)", Integer.toString(r.get("peakWaiting").asInt())));
    measures.add(
        Measure.check(
            s,
            "peak heap in use (sampled, garbage included)",
            String.format("%.0f MB", heapMb),
            "<= 256 MB",
            heapMb <= 256));
    measures.add(
        Measure.check(s, "peak live threads", Integer.toString(threads), "<= 64", threads <= 64));
    int maxIds = r.get("maxImageIdsPerCall").asInt();
    // One call per 1,000 waiting images, and in a round where some were created within EC2's
    // window of eventual consistency, a second call without the IDs EC2 does not know yet.
    long perRound = 2 * ((w + 999) / 1000);
    measures.add(
        Measure.check(
            s,
            "DescribeImages per account+region per poll round",
            String.format(
                "%d calls / %d rounds (up to %d image IDs per call)", calls, polls, maxIds),
            "<= 2 x ceil(W / 1000) = " + perRound + ", <= 1000 IDs",
            calls <= polls * perRound && maxIds <= 1000));
  }
}
