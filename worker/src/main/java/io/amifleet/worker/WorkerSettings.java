package io.amifleet.worker;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.config.Durations;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * How a worker runs. Validated on construction; see the README's {@code worker} reference for what
 * each setting means to an operator.
 *
 * @param concurrency jobs held at once (received and not yet finished, waiting images included)
 * @param pollInterval how often each account+region's waiting images are checked (one
 *     DescribeImages covers all of them)
 * @param maxWait how long to wait for an image before the job ends TIMED_OUT
 * @param shutdownTimeout how long a stopping worker lets held jobs finish before releasing them
 * @param exitWhenIdle stop after the queue has been empty and nothing was held for this long
 * @param allowedAccounts accounts this worker may act in; empty means any, and a list given is
 *     never empty (an empty list must not silently mean "any")
 * @param visibilityTimeout visibility set on receive and on every extension
 * @param mutationRate client-side limit of CreateImage calls per account+region per second
 * @param mutationBurst how many CreateImage calls may go at once before the rate applies
 * @param retryBaseDelay first backoff for a retryable failure (doubles per receive, with jitter)
 * @param retryMaxDelay longest backoff
 * @param receiveWait ReceiveMessage long-poll wait (1-20 s); a stopping worker lets the current
 *     poll finish (what it took is released at once, not hidden for the visibility timeout), so
 *     this also bounds how long stopping waits for it
 */
public record WorkerSettings(
    int concurrency,
    Duration pollInterval,
    Duration maxWait,
    Duration shutdownTimeout,
    Optional<Duration> exitWhenIdle,
    Optional<Set<String>> allowedAccounts,
    Duration visibilityTimeout,
    double mutationRate,
    int mutationBurst,
    Duration retryBaseDelay,
    Duration retryMaxDelay,
    Duration receiveWait) {

  public static final int DEFAULT_CONCURRENCY = 256;
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(15);
  public static final Duration DEFAULT_MAX_WAIT = Duration.ofHours(4);
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofMinutes(5);

  /** EC2 refills CreateImage tokens at 5/s per account+region; stay below it by default. */
  public static final double DEFAULT_MUTATION_RATE = 4.8;

  public static final int DEFAULT_MUTATION_BURST = 48;

  /**
   * The shortest visibility timeout the heartbeat can sustain: it extends a message when half of
   * the timeout is left and checks every sixth of it, so an extension has a third of the timeout
   * (10 s here) to go through the batch window and the SDK's retries. 30 s is also SQS's default
   * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html).
   */
  public static final Duration MIN_VISIBILITY_TIMEOUT = Duration.ofSeconds(30);

  /** SQS keeps a message invisible for at most 12 hours after it was received. */
  public static final Duration SQS_VISIBILITY_CEILING = Duration.ofHours(12);

  public WorkerSettings {
    requireNonNull(pollInterval, "pollInterval is null");
    requireNonNull(maxWait, "maxWait is null");
    requireNonNull(shutdownTimeout, "shutdownTimeout is null");
    requireNonNull(exitWhenIdle, "exitWhenIdle is null");
    allowedAccounts = requireNonNull(allowedAccounts, "allowedAccounts is null").map(Set::copyOf);
    if (allowedAccounts.isPresent() && allowedAccounts.get().isEmpty()) {
      throw new IllegalArgumentException(
          "--allow-account: the list is empty; give account IDs, or leave the option out to allow"
              + " any account");
    }
    requireNonNull(visibilityTimeout, "visibilityTimeout is null");
    requireNonNull(retryBaseDelay, "retryBaseDelay is null");
    requireNonNull(retryMaxDelay, "retryMaxDelay is null");
    requireNonNull(receiveWait, "receiveWait is null");
    if (receiveWait.toSeconds() < 1 || receiveWait.toSeconds() > 20) {
      throw new IllegalArgumentException(
          "--receive-wait must be 1s to 20s (SQS long polling), not "
              + Durations.format(receiveWait));
    }
    if (concurrency < 1 || concurrency > 100_000) {
      throw new IllegalArgumentException("--concurrency must be 1-100000");
    }
    if (pollInterval.toMillis() < 100) {
      throw new IllegalArgumentException("--poll-interval must be at least 100ms");
    }
    if (maxWait.isNegative()
        || maxWait.isZero()
        || maxWait.compareTo(SQS_VISIBILITY_CEILING.minusMinutes(30)) > 0) {
      throw new IllegalArgumentException(
          "--max-wait must be positive and at most 11h30m (SQS keeps a message invisible for 12"
              + " hours at most)");
    }
    if (visibilityTimeout.compareTo(MIN_VISIBILITY_TIMEOUT) < 0
        || visibilityTimeout.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(
          "--visibility-timeout must be between 30s and 1h: the heartbeat extends a held job's"
              + " message when half of it is left, checking every sixth, so an extension has a third"
              + " of it to land; below 30s a slow or retried call on a busy worker lets the message"
              + " reappear and a second worker run the job");
    }
    if (mutationRate <= 0 || mutationBurst < 1) {
      throw new IllegalArgumentException("the mutation rate and burst must be positive");
    }
    if (retryBaseDelay.isNegative() || retryMaxDelay.compareTo(retryBaseDelay) < 0) {
      throw new IllegalArgumentException("retry delays must be non-negative, max >= base");
    }
    if (retryMaxDelay.compareTo(SQS_VISIBILITY_CEILING) >= 0) {
      throw new IllegalArgumentException("retry delay must stay below 12 hours");
    }
  }

  /** The defaults: what every flag of {@code worker} and {@code run} starts from. */
  public static WorkerSettings defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.concurrency = concurrency;
    b.pollInterval = pollInterval;
    b.maxWait = maxWait;
    b.shutdownTimeout = shutdownTimeout;
    b.exitWhenIdle = exitWhenIdle;
    b.allowedAccounts = allowedAccounts;
    b.visibilityTimeout = visibilityTimeout;
    b.mutationRate = mutationRate;
    b.mutationBurst = mutationBurst;
    b.retryBaseDelay = retryBaseDelay;
    b.retryMaxDelay = retryMaxDelay;
    b.receiveWait = receiveWait;
    return b;
  }

  public WorkerSettings withConcurrency(int value) {
    return toBuilder().concurrency(value).build();
  }

  public WorkerSettings withPollInterval(Duration value) {
    return toBuilder().pollInterval(value).build();
  }

  public WorkerSettings withMaxWait(Duration value) {
    return toBuilder().maxWait(value).build();
  }

  public WorkerSettings withShutdownTimeout(Duration value) {
    return toBuilder().shutdownTimeout(value).build();
  }

  public WorkerSettings withExitWhenIdle(Duration value) {
    return toBuilder().exitWhenIdle(value).build();
  }

  /** Only these accounts (a non-empty set). */
  public WorkerSettings withAllowedAccounts(Set<String> value) {
    return toBuilder().allowedAccounts(value).build();
  }

  public WorkerSettings withVisibilityTimeout(Duration value) {
    return toBuilder().visibilityTimeout(value).build();
  }

  public WorkerSettings withReceiveWait(Duration value) {
    return toBuilder().receiveWait(value).build();
  }

  public WorkerSettings withMutationLimit(double rate, int burst) {
    return toBuilder().mutationRate(rate).mutationBurst(burst).build();
  }

  public WorkerSettings withRetryDelays(Duration base, Duration max) {
    return toBuilder().retryBaseDelay(base).retryMaxDelay(max).build();
  }

  /**
   * Settings under construction, starting from the defaults: the one place every default is written
   * (the CLI's option defaults are read from here). Validated by {@link #build}.
   */
  public static final class Builder {
    private int concurrency = DEFAULT_CONCURRENCY;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private Duration maxWait = DEFAULT_MAX_WAIT;
    private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
    private Optional<Duration> exitWhenIdle = Optional.empty();
    private Optional<Set<String>> allowedAccounts = Optional.empty();
    private Duration visibilityTimeout = DEFAULT_VISIBILITY_TIMEOUT;
    private double mutationRate = DEFAULT_MUTATION_RATE;
    private int mutationBurst = DEFAULT_MUTATION_BURST;
    private Duration retryBaseDelay = Duration.ofSeconds(10);
    private Duration retryMaxDelay = Duration.ofMinutes(15);
    private Duration receiveWait = Duration.ofSeconds(20);

    private Builder() {}

    public Builder concurrency(int value) {
      concurrency = value;
      return this;
    }

    public Builder pollInterval(Duration value) {
      pollInterval = value;
      return this;
    }

    public Builder maxWait(Duration value) {
      maxWait = value;
      return this;
    }

    public Builder shutdownTimeout(Duration value) {
      shutdownTimeout = value;
      return this;
    }

    /** Stop after being idle this long; {@code null}: never. */
    public Builder exitWhenIdle(Duration value) {
      exitWhenIdle = Optional.ofNullable(value);
      return this;
    }

    /** Only these accounts (a non-empty set). */
    public Builder allowedAccounts(Set<String> value) {
      allowedAccounts = Optional.of(value);
      return this;
    }

    public Builder visibilityTimeout(Duration value) {
      visibilityTimeout = value;
      return this;
    }

    public Builder mutationRate(double value) {
      mutationRate = value;
      return this;
    }

    public Builder mutationBurst(int value) {
      mutationBurst = value;
      return this;
    }

    public Builder retryBaseDelay(Duration value) {
      retryBaseDelay = value;
      return this;
    }

    public Builder retryMaxDelay(Duration value) {
      retryMaxDelay = value;
      return this;
    }

    public Builder receiveWait(Duration value) {
      receiveWait = value;
      return this;
    }

    public WorkerSettings build() {
      return new WorkerSettings(
          concurrency,
          pollInterval,
          maxWait,
          shutdownTimeout,
          exitWhenIdle,
          allowedAccounts,
          visibilityTimeout,
          mutationRate,
          mutationBurst,
          retryBaseDelay,
          retryMaxDelay,
          receiveWait);
    }
  }
}
