package io.amifleet.common.aws;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.metrics.CoreMetric;
import software.amazon.awssdk.metrics.MetricCollection;
import software.amazon.awssdk.metrics.MetricPublisher;

/**
 * Counts amifleet's AWS calls by service and operation from the SDK's own metrics: API calls, HTTP
 * attempts (retries included) and attempts that were throttled. Registered on every client; read by
 * {@code --stats}, the benchmark and the embedded metrics. Thread-safe.
 */
public final class ApiCallStats implements MetricPublisher {
  private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();

  /** Counts of one operation. */
  public record Count(long calls, long attempts, long throttled) {}

  private static final class Counter {
    final LongAdder calls = new LongAdder();
    final LongAdder attempts = new LongAdder();
    final LongAdder throttled = new LongAdder();
  }

  @Override
  public void publish(MetricCollection metrics) {
    String service = first(metrics, CoreMetric.SERVICE_ID, "?");
    String operation = first(metrics, CoreMetric.OPERATION_NAME, "?");
    Counter c = counters.computeIfAbsent(service + "." + operation, k -> new Counter());
    c.calls.increment();
    for (MetricCollection attempt : metrics.children()) {
      if (!"ApiCallAttempt".equals(attempt.name())) {
        continue;
      }
      c.attempts.increment();
      if ("Throttling".equals(first(attempt, CoreMetric.ERROR_TYPE, ""))) {
        c.throttled.increment();
      }
    }
  }

  private static <T> String first(
      MetricCollection metrics,
      software.amazon.awssdk.metrics.SdkMetric<T> metric,
      String fallback) {
    var values = metrics.metricValues(metric);
    return values.isEmpty() || values.get(0) == null ? fallback : String.valueOf(values.get(0));
  }

  /** A snapshot, keyed by {@code Service.Operation}, sorted. */
  public Map<String, Count> snapshot() {
    Map<String, Count> out = new TreeMap<>();
    counters.forEach(
        (k, c) -> out.put(k, new Count(c.calls.sum(), c.attempts.sum(), c.throttled.sum())));
    return out;
  }

  public long calls(String serviceOperation) {
    Counter c = counters.get(serviceOperation);
    return c == null ? 0 : c.calls.sum();
  }

  public long throttledAttempts() {
    return counters.values().stream().mapToLong(c -> c.throttled.sum()).sum();
  }

  public void reset() {
    counters.clear();
  }

  @Override
  public void close() {}
}
