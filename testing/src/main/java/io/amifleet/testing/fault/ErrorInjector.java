package io.amifleet.testing.fault;

import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Fails a fraction of the HTTP attempts of chosen operations with a given AWS error before they
 * reach the emulator (so a failed CreateImage made nothing): throttling ({@code
 * RequestLimitExceeded}, 503) or server errors ({@code InternalError}, 500). Deterministic for a
 * seed. Thread-safe.
 */
public final class ErrorInjector implements ExecutionInterceptor {
  private final Set<String> operations;
  private final double fraction;
  private final String errorCode;
  private final int status;
  private final Random random;
  private final AtomicLong injected = new AtomicLong();
  private volatile boolean enabled = true;

  public ErrorInjector(
      Set<String> operations, double fraction, String errorCode, int status, long seed) {
    if (fraction < 0 || fraction > 1) {
      throw new IllegalArgumentException("fraction must be within [0, 1]");
    }
    this.operations = Set.copyOf(operations);
    this.fraction = fraction;
    this.errorCode = errorCode;
    this.status = status;
    this.random = new Random(seed);
  }

  public static ErrorInjector throttling(Set<String> operations, double fraction, long seed) {
    return new ErrorInjector(operations, fraction, "RequestLimitExceeded", 503, seed);
  }

  public static ErrorInjector serverErrors(Set<String> operations, double fraction, long seed) {
    return new ErrorInjector(operations, fraction, "InternalError", 500, seed);
  }

  /** Every attempt of the operations fails with {@code errorCode} (a permanent error, say). */
  public static ErrorInjector always(Set<String> operations, String errorCode, int status) {
    return new ErrorInjector(operations, 1.0, errorCode, status, 0);
  }

  @Override
  public void beforeTransmission(
      Context.BeforeTransmission context, ExecutionAttributes attributes) {
    if (!enabled || !operations.contains(Faults.operation(attributes))) {
      return;
    }
    boolean fail;
    synchronized (random) {
      fail = random.nextDouble() < fraction;
    }
    if (fail) {
      injected.incrementAndGet();
      throw Faults.serviceError(
          Faults.service(attributes), errorCode, "injected " + errorCode + " (test fault)", status);
    }
  }

  public long injected() {
    return injected.get();
  }

  public void disable() {
    enabled = false;
  }
}
