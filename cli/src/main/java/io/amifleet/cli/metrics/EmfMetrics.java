package io.amifleet.cli.metrics;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.common.aws.ApiCallStats;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.worker.outcome.WorkerEvents;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CloudWatch metrics in Embedded Metric Format: one JSON line per event on stdout, which the ECS
 * awslogs driver (or the CloudWatch agent) ships and CloudWatch turns into metrics with no API call
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 *
 * <p>Namespace {@code AmiFleet}: {@code Jobs} (Count, dimension Status), {@code TimeToAvailable}
 * (Seconds), {@code DlqMoves}, {@code JobsDispatched}, {@code ThrottledCalls} and {@code
 * HookFailures} (Count, dimension Hook: pre or post; alarm on post). The hub stack's dashboard and
 * alarms read these names. Thread-safe.
 */
public final class EmfMetrics implements WorkerEvents {
  public static final String NAMESPACE = "AmiFleet";

  private final PrintStream out;
  private final ObjectMapper mapper;
  private final Clock clock;
  private final AtomicLong reportedThrottles = new AtomicLong();

  public EmfMetrics(PrintStream out, ObjectMapper mapper, Clock clock) {
    this.out = requireNonNull(out, "out is null");
    this.mapper = requireNonNull(mapper, "mapper is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public void jobFinished(ResultMessage result) {
    emit("Jobs", "Count", 1, Map.of("Status", result.status().name()));
    if (result.succeeded() && result.startedAt() != null && result.finishedAt() != null) {
      double seconds =
          Duration.between(result.startedAt(), result.finishedAt()).toMillis() / 1000.0;
      emit("TimeToAvailable", "Seconds", seconds, Map.of());
    }
  }

  @Override
  public void movedToDeadLetter(String errorCode, String reason) {
    emit("DlqMoves", "Count", 1, Map.of());
  }

  /** A hook failed on its instance; a failed {@code post} may have left it frozen. */
  @Override
  public void hookFailed(JobMessage job, String hook, String detail) {
    emit("HookFailures", "Count", 1, Map.of("Hook", hook));
  }

  public void dispatched(int jobs) {
    emit("JobsDispatched", "Count", jobs, Map.of());
  }

  /** Reports throttled AWS attempts (from the SDK's metrics) once a minute, as a delta. */
  public void reportThrottling(ApiCallStats stats, ScheduledExecutorService timer) {
    timer.scheduleAtFixedRate(() -> flushThrottling(stats), 60, 60, TimeUnit.SECONDS);
  }

  public void flushThrottling(ApiCallStats stats) {
    long now = stats.throttledAttempts();
    long delta = now - reportedThrottles.getAndSet(now);
    if (delta > 0) {
      emit("ThrottledCalls", "Count", delta, Map.of());
    }
  }

  void emit(String metric, String unit, double value, Map<String, String> dimensions) {
    ObjectNode line = mapper.createObjectNode();
    ObjectNode aws = line.putObject("_aws");
    aws.put("Timestamp", clock.millis());
    ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
    directive.put("Namespace", NAMESPACE);
    var dims = directive.putArray("Dimensions").addArray();
    dimensions.keySet().forEach(dims::add);
    directive.putArray("Metrics").addObject().put("Name", metric).put("Unit", unit);
    dimensions.forEach(line::put);
    line.put(metric, value);
    out.println(line.toString());
  }
}
