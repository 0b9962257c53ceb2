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
 * Client-side token buckets for mutating EC2 calls, one per account+region and API, as EC2 itself
 * throttles each account and region per API
 * (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html; CreateImage: 50 burst,
 * 5/s refill). Staying just below EC2's rate keeps a worker from burning the bucket; what still
 * gets throttled (several workers share an account's bucket) is left to the SDK's retries.
 *
 * <p>CreateImage gets the configured rate and burst. Other mutating calls (DeregisterImage,
 * DeleteSnapshot) have buckets of their own, {@link #OTHER_BURST} burst and {@link #OTHER_RATE}/s,
 * so that retention does not hold image creation back.
 *
 * <p>Waiting for a token holds no thread: {@link #acquire} returns a future that the scheduler
 * completes. Thread-safe; does not own the scheduler.
 */
public final class MutationLimiter {
  public static final String CREATE_IMAGE = "CreateImage";

  /**
   * CopyImage, limited per destination account+region: EC2's bucket is 100 burst, 1/s refill (same
   * page); the worker takes the same burst and stays just below the refill.
   */
  public static final String COPY_IMAGE = "CopyImage";

  static final double COPY_RATE = 0.9;
  static final int COPY_BURST = 100;
  static final double OTHER_RATE = 10;
  static final int OTHER_BURST = 100;

  private final double createRate;
  private final int createBurst;
  private final ScheduledExecutorService scheduler;
  private final ConcurrentMap<Key, Bucket> buckets = new ConcurrentHashMap<>();

  private record Key(AccountRegion accountRegion, String operation) {}

  public MutationLimiter(double createRate, int createBurst, ScheduledExecutorService scheduler) {
    if (createRate <= 0 || createBurst < 1) {
      throw new IllegalArgumentException("rate and burst must be positive");
    }
    this.createRate = createRate;
    this.createBurst = createBurst;
    this.scheduler = scheduler;
  }

  /** Completes when {@code operation} may be called in {@code accountRegion}. */
  public CompletableFuture<Void> acquire(AccountRegion accountRegion, String operation) {
    return buckets
        .computeIfAbsent(new Key(accountRegion, operation), this::newBucket)
        .asScheduler()
        .consume(1, scheduler);
  }

  private Bucket newBucket(Key key) {
    boolean create = key.operation().equals(CREATE_IMAGE);
    boolean copy = key.operation().equals(COPY_IMAGE);
    double rate = create ? createRate : copy ? COPY_RATE : OTHER_RATE;
    int burst = create ? createBurst : copy ? COPY_BURST : OTHER_BURST;
    Duration perToken = Duration.ofNanos(Math.max(1, (long) (1e9 / rate)));
    return Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(1, perToken).build())
        .build();
  }
}
