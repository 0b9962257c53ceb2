package io.amifleet.testing.fault;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Fails every attempt of the requests matching a predicate with a given AWS error, before they
 * reach the emulator: e.g. AssumeRole into one account answering AccessDenied, or CreateImage of
 * one instance answering UnauthorizedOperation. Thread-safe.
 */
public final class RequestFaults implements ExecutionInterceptor {
  private final Predicate<SdkRequest> matches;
  private final String errorCode;
  private final int status;
  private final AtomicLong injected = new AtomicLong();
  private volatile boolean enabled = true;

  public RequestFaults(Predicate<SdkRequest> matches, String errorCode, int status) {
    this.matches = matches;
    this.errorCode = errorCode;
    this.status = status;
  }

  /** AssumeRole into {@code accountId} fails with AccessDenied, as with a broken trust policy. */
  public static RequestFaults assumeRoleDenied(String accountId) {
    return new RequestFaults(
        r ->
            r instanceof software.amazon.awssdk.services.sts.model.AssumeRoleRequest a
                && a.roleArn().contains(":" + accountId + ":"),
        "AccessDenied",
        403);
  }

  @Override
  public void beforeTransmission(
      Context.BeforeTransmission context, ExecutionAttributes attributes) {
    if (enabled && matches.test(context.request())) {
      injected.incrementAndGet();
      throw Faults.serviceError(
          Faults.service(attributes), errorCode, "injected " + errorCode + " (test fault)", status);
    }
  }

  public long injected() {
    return injected.get();
  }

  /** Stops failing: the "operator fixed the cause" moment of a test. */
  public void heal() {
    enabled = false;
  }
}
