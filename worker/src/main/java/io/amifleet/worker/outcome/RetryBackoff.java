package io.amifleet.worker.outcome;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Backoff for retryable failures: {@code base * 2^(receiveCount-1)}, capped at {@code max}, with
 * "equal jitter" (half fixed, half random) so a throttled fleet does not come back in step.
 */
public final class RetryBackoff {
  private final Duration base;
  private final Duration max;

  public RetryBackoff(Duration base, Duration max) {
    this.base = base;
    this.max = max;
  }

  public Duration delay(int receiveCount) {
    int exponent = Math.max(0, Math.min(20, receiveCount - 1));
    long full = Math.min(max.toMillis(), base.toMillis() << exponent);
    long half = full / 2;
    long jitter = half == 0 ? 0 : ThreadLocalRandom.current().nextLong(half + 1);
    return Duration.ofMillis(half + jitter);
  }
}
