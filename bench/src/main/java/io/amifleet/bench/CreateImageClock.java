package io.amifleet.bench;

import io.amifleet.emulator.realistic.ProxyStats;
import io.amifleet.emulator.realistic.RealisticEc2Proxy;
import java.util.function.LongSupplier;

/**
 * Times a competitor's CreateImage calls from outside, by reading the layer's counters every {@link
 * MeteredProcess#TICK} while it runs: when the first CreateImage was answered (and how much CPU the
 * competitor's process had used by then: its start-up), and when the last one succeeded. Accurate
 * to a tick plus one call's time in moto. Used from the thread that runs the competitor.
 */
final class CreateImageClock implements MeteredProcess.Watch {
  private static final String API = "EC2.CreateImage";

  private final RealisticEc2Proxy layer;
  private final ProxyStats.Snapshot before;
  private final long expected;
  private long firstNanos = -1;
  private long cpuAtFirstNanos = -1;
  private long lastNanos = -1;

  /** {@code expected}: the successful CreateImage calls that make the last one. */
  CreateImageClock(RealisticEc2Proxy layer, long expected) {
    this.layer = layer;
    this.before = layer.stats();
    this.expected = expected;
  }

  @Override
  public void tick(long elapsedNanos, LongSupplier treeCpuNanos) {
    if (lastNanos >= 0) {
      return;
    }
    ProxyStats.Snapshot s = layer.stats().since(before);
    long answered = s.calls(API);
    if (firstNanos < 0 && answered > 0) {
      firstNanos = elapsedNanos;
      cpuAtFirstNanos = treeCpuNanos.getAsLong();
    }
    if (answered - s.errors(API) >= expected) {
      lastNanos = elapsedNanos;
    }
  }

  /** Milliseconds from start to the first CreateImage answered; null when there was none. */
  Long firstMillis() {
    return firstNanos < 0 ? null : firstNanos / 1_000_000;
  }

  /** The competitor's CPU by the first CreateImage, in ms; null when it could not be read. */
  Long cpuAtFirstMillis() {
    return cpuAtFirstNanos < 0 ? null : cpuAtFirstNanos / 1_000_000;
  }

  /** Milliseconds from start to the last successful CreateImage; null when not all succeeded. */
  Long lastMillis() {
    return lastNanos < 0 ? null : lastNanos / 1_000_000;
  }
}
