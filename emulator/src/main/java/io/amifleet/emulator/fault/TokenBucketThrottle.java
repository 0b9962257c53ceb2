package io.amifleet.emulator.fault;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Enforces EC2's request token bucket in front of the emulator, per caller (access key) and region,
 * as EC2 does per account and region: {@code capacity} tokens, refilled at {@code refillPerSecond};
 * an attempt with no token left gets {@code RequestLimitExceeded} and does nothing. Defaults model
 * CreateImage (bucket 50, refill 5/s;
 * https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html). Thread-safe.
 */
public final class TokenBucketThrottle implements ExecutionInterceptor {
  private final Set<String> operations;
  private final double capacity;
  private final double refillPerSecond;
  private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final AtomicLong throttled = new AtomicLong();

  public TokenBucketThrottle(Set<String> operations, int capacity, double refillPerSecond) {
    this.operations = Set.copyOf(operations);
    this.capacity = capacity;
    this.refillPerSecond = refillPerSecond;
  }

  public static TokenBucketThrottle createImage() {
    return new TokenBucketThrottle(Set.of("CreateImage"), 50, 5);
  }

  private final class Bucket {
    private double tokens = capacity;
    private long last = System.nanoTime();

    synchronized boolean take() {
      long now = System.nanoTime();
      tokens = Math.min(capacity, tokens + (now - last) / 1e9 * refillPerSecond);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    }
  }

  @Override
  public void beforeTransmission(
      Context.BeforeTransmission context, ExecutionAttributes attributes) {
    if (!operations.contains(Faults.operation(attributes))) {
      return;
    }
    Bucket bucket =
        buckets.computeIfAbsent(Faults.callerKey(context.httpRequest()), k -> new Bucket());
    if (!bucket.take()) {
      throttled.incrementAndGet();
      throw Faults.serviceError(
          Faults.service(attributes), "RequestLimitExceeded", "Request limit exceeded.", 503);
    }
  }

  /** How many attempts were refused: the throttling errors that reached the SDK. */
  public long throttled() {
    return throttled.get();
  }
}
