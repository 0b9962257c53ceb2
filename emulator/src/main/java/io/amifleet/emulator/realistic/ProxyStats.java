package io.amifleet.emulator.realistic;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The layer's counters: calls, throttled calls and errors (answers of 400 and above, throttling
 * included) per API ({@code EC2.CreateImage}) and account. Read in-process by tests and the bench,
 * and over HTTP as JSON. Thread-safe.
 */
public final class ProxyStats {
  /** The counts of one API, or of one API in one account. */
  public record Count(long calls, long throttled, long errors) {
    Count plus(Count o) {
      return new Count(calls + o.calls, throttled + o.throttled, errors + o.errors);
    }

    Count minus(Count o) {
      return o == null
          ? this
          : new Count(calls - o.calls, throttled - o.throttled, errors - o.errors);
    }
  }

  /**
   * A copy of the counters.
   *
   * @param byApi totals per API
   * @param byApiAndAccount per API, then per account
   * @param cpuNanos CPU time the layer's own threads used since start
   * @param callsSinceStart calls answered since start, resets included (for CPU per call)
   */
  public record Snapshot(
      Map<String, Count> byApi,
      Map<String, Map<String, Count>> byApiAndAccount,
      long cpuNanos,
      long callsSinceStart) {
    public long calls(String api) {
      Count c = byApi.get(api);
      return c == null ? 0 : c.calls();
    }

    public long throttled(String api) {
      Count c = byApi.get(api);
      return c == null ? 0 : c.throttled();
    }

    public long errors(String api) {
      Count c = byApi.get(api);
      return c == null ? 0 : c.errors();
    }

    public long calls(String api, String account) {
      Count c = byApiAndAccount.getOrDefault(api, Map.of()).get(account);
      return c == null ? 0 : c.calls();
    }

    /** What happened between {@code earlier} and this snapshot (counters are never reset). */
    public Snapshot since(Snapshot earlier) {
      Map<String, Count> api = new TreeMap<>();
      byApi.forEach((k, v) -> api.put(k, v.minus(earlier.byApi.get(k))));
      Map<String, Map<String, Count>> accounts = new TreeMap<>();
      byApiAndAccount.forEach(
          (k, per) -> {
            Map<String, Count> was = earlier.byApiAndAccount.getOrDefault(k, Map.of());
            Map<String, Count> now = new TreeMap<>();
            per.forEach((a, c) -> now.put(a, c.minus(was.get(a))));
            accounts.put(k, now);
          });
      return new Snapshot(
          api, accounts, cpuNanos - earlier.cpuNanos, callsSinceStart - earlier.callsSinceStart);
    }

    public long totalCalls() {
      return byApi.values().stream().mapToLong(Count::calls).sum();
    }

    public long totalThrottled() {
      return byApi.values().stream().mapToLong(Count::throttled).sum();
    }

    public long totalErrors() {
      return byApi.values().stream().mapToLong(Count::errors).sum();
    }

    /** The JSON served at {@code /_amifleet/stats}. */
    public String toJson() {
      StringBuilder b = new StringBuilder(256);
      b.append("{\"calls\":").append(totalCalls());
      b.append(",\"throttled\":").append(totalThrottled());
      b.append(",\"errors\":").append(totalErrors());
      b.append(",\"cpuNanos\":").append(cpuNanos);
      b.append(",\"callsSinceStart\":").append(callsSinceStart);
      b.append(",\"apis\":{");
      boolean first = true;
      for (Map.Entry<String, Count> e : byApi.entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        b.append('"').append(e.getKey()).append("\":");
        count(b, e.getValue());
        b.setLength(b.length() - 1);
        b.append(",\"accounts\":{");
        boolean firstAccount = true;
        for (Map.Entry<String, Count> a :
            byApiAndAccount.getOrDefault(e.getKey(), Map.of()).entrySet()) {
          if (!firstAccount) {
            b.append(',');
          }
          firstAccount = false;
          b.append('"').append(a.getKey()).append("\":");
          count(b, a.getValue());
        }
        b.append("}}");
      }
      return b.append("}}").toString();
    }

    private static void count(StringBuilder b, Count c) {
      b.append("{\"calls\":")
          .append(c.calls())
          .append(",\"throttled\":")
          .append(c.throttled())
          .append(",\"errors\":")
          .append(c.errors())
          .append('}');
    }
  }

  private static final class Counter {
    final LongAdder calls = new LongAdder();
    final LongAdder throttled = new LongAdder();
    final LongAdder errors = new LongAdder();

    Count count() {
      return new Count(calls.sum(), throttled.sum(), errors.sum());
    }
  }

  private final ConcurrentMap<String, ConcurrentMap<String, Counter>> counters =
      new ConcurrentHashMap<>();
  private final LongAdder sinceStart = new LongAdder();

  void record(String api, String account, int status, boolean throttled) {
    Counter c =
        counters
            .computeIfAbsent(api, k -> new ConcurrentHashMap<>())
            .computeIfAbsent(account, k -> new Counter());
    c.calls.increment();
    sinceStart.increment();
    if (throttled) {
      c.throttled.increment();
    }
    if (status >= 400) {
      c.errors.increment();
    }
  }

  Snapshot snapshot(long cpuNanos) {
    Map<String, Count> byApi = new TreeMap<>();
    Map<String, Map<String, Count>> byAccount = new TreeMap<>();
    counters.forEach(
        (api, accounts) -> {
          Map<String, Count> per = new TreeMap<>();
          accounts.forEach((account, c) -> per.put(account, c.count()));
          byAccount.put(api, per);
          byApi.put(api, per.values().stream().reduce(new Count(0, 0, 0), Count::plus));
        });
    return new Snapshot(byApi, byAccount, cpuNanos, sinceStart.sum());
  }

  void clear() {
    counters.clear();
  }
}
