package io.amifleet.testing;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that stands still until a test moves it. Thread-safe. */
public final class MutableClock extends Clock {
  private final ZoneId zone;
  private volatile Instant now;

  public MutableClock(Instant start) {
    this(start, ZoneOffset.UTC);
  }

  private MutableClock(Instant start, ZoneId zone) {
    this.now = requireNonNull(start, "start is null");
    this.zone = requireNonNull(zone, "zone is null");
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /**
   * A clock in {@code zone} starting at this clock's current instant; it does not follow this one.
   */
  @Override
  public Clock withZone(ZoneId zone) {
    return new MutableClock(now, zone);
  }

  @Override
  public Instant instant() {
    return now;
  }

  public void set(Instant instant) {
    now = requireNonNull(instant, "instant is null");
  }

  public synchronized void advance(Duration by) {
    now = now.plus(by);
  }
}
