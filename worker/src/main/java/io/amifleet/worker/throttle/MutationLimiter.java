package io.amifleet.worker.throttle;

import io.amifleet.common.aws.AccountRegion;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A client-side token bucket per account+region for mutating EC2 calls (CreateImage, CreateTags,
 * DeregisterImage). EC2 throttles each account and region with its own bucket (CreateImage: 50
 * burst, 5/s refill, https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html);
 * staying just below the refill rate keeps a fleet from burning it, and what still gets throttled
 * is left to the SDK's retry strategy.
 *
 * <p>Waiting for a token holds no thread: {@link #acquire} returns a future that the scheduler
 * completes. Thread-safe; does not own the scheduler.
 */
public final class MutationLimiter {
  private final double ratePerSecond;
  private final int burst;
  private final ScheduledExecutorService scheduler;
  private final ConcurrentMap<AccountRegion, Bucket> buckets = new ConcurrentHashMap<>();

  public MutationLimiter(double ratePerSecond, int burst, ScheduledExecutorService scheduler) {
    if (ratePerSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException("rate and burst must be positive");
    }
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.scheduler = scheduler;
  }

  public CompletableFuture<Void> acquire(AccountRegion accountRegion) {
    return buckets
        .computeIfAbsent(accountRegion, k -> newBucket())
        .asScheduler()
        .consume(1, scheduler);
  }

  private Bucket newBucket() {
    Duration perToken = Duration.ofNanos(Math.max(1, (long) (1e9 / ratePerSecond)));
    return Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(1, perToken).build())
        .build();
  }
}
