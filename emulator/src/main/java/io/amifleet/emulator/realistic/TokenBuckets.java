package io.amifleet.emulator.realistic;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * EC2's request token buckets, one per account, region and API: a call takes a token or is refused
 * (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html). Buckets start full and
 * refill continuously. Thread-safe.
 */
final class TokenBuckets {
  private final LongSupplier nanoTime;
  private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  TokenBuckets(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** Takes a token from the bucket of {@code account/region/action}; false when it is empty. */
  boolean take(String account, String region, String action, RealismSettings.Bucket limits) {
    String key = account + '/' + region + '/' + action;
    return buckets.computeIfAbsent(key, k -> new Bucket(limits, nanoTime.getAsLong())).take(limits);
  }

  void clear() {
    buckets.clear();
  }

  private final class Bucket {
    private double tokens;
    private long last;

    Bucket(RealismSettings.Bucket limits, long now) {
      tokens = limits.capacity();
      last = now;
    }

    synchronized boolean take(RealismSettings.Bucket limits) {
      long now = nanoTime.getAsLong();
      tokens = Math.min(limits.capacity(), tokens + (now - last) / 1e9 * limits.refillPerSecond());
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    }
  }
}
