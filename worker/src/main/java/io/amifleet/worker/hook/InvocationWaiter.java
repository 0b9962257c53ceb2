package io.amifleet.worker.hook;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.worker.image.Ec2Target;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for hook invocations to end, holding no thread: the waits of one account+region are checked
 * together, one round of GetCommandInvocation calls per poll interval on the worker's timer (the
 * image waiter's shape). SSM has no call that reports many invocations of different commands by ID,
 * so a round is one asynchronous call per waiting invocation; a burst of jobs costs one round per
 * interval, not one timer per job.
 *
 * <p>A wait ends with the invocation once it ended (Success, Failed, TimedOut, Cancelled), or, at
 * its deadline, with a {@code TimedOut} invocation of amifleet's making; a retryable error (a
 * throttled call) keeps waiting, any other fails the wait. A cancelled wait (its job released) is
 * dropped. Thread-safe; does not own the timer.
 */
public final class InvocationWaiter {
  private static final Logger log = LoggerFactory.getLogger(InvocationWaiter.class);

  private final HookService ssm;
  private final ScheduledExecutorService timer;
  private final Clock clock;
  private final Duration interval;
  private final Map<Ec2Target, List<Wait>> waiting = new HashMap<>();

  private record Wait(
      String commandId, String instanceId, Instant deadline, CompletableFuture<Invocation> done) {}

  public InvocationWaiter(
      HookService ssm, ScheduledExecutorService timer, Clock clock, Duration interval) {
    this.ssm = requireNonNull(ssm, "ssm is null");
    this.timer = requireNonNull(timer, "timer is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.interval = requireNonNull(interval, "interval is null");
  }

  /** The invocation of {@code commandId} on {@code instanceId} once it ended, or at deadline. */
  public CompletableFuture<Invocation> await(
      Ec2Target target, String commandId, String instanceId, Instant deadline) {
    Wait w = new Wait(commandId, instanceId, deadline, new CompletableFuture<>());
    boolean first;
    synchronized (this) {
      List<Wait> list = waiting.computeIfAbsent(target, t -> new ArrayList<>());
      first = list.isEmpty();
      list.add(w);
    }
    if (first) {
      schedule(target);
    }
    return w.done;
  }

  private void schedule(Ec2Target target) {
    timer.schedule(() -> poll(target), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void poll(Ec2Target target) {
    List<Wait> round;
    synchronized (this) {
      List<Wait> list = waiting.getOrDefault(target, List.of());
      list.removeIf(w -> w.done.isDone());
      round = List.copyOf(list);
    }
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (Wait w : round) {
      calls.add(
          ssm.invocation(target, w.commandId, w.instanceId)
              .handle(
                  (inv, e) -> {
                    check(target, w, inv, e);
                    return null;
                  }));
    }
    CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0]))
        .whenComplete(
            (x, e) -> {
              boolean more;
              synchronized (this) {
                List<Wait> list = waiting.get(target);
                if (list != null) {
                  list.removeIf(w -> w.done.isDone());
                }
                more = list != null && !list.isEmpty();
                if (!more) {
                  waiting.remove(target);
                }
              }
              if (more) {
                schedule(target);
              }
            });
  }

  private void check(Ec2Target target, Wait w, Invocation inv, Throwable e) {
    if (e != null) {
      AmiFleetException error = AwsErrors.translate(e, "waiting for command " + w.commandId);
      if (!error.retryable()) {
        w.done.completeExceptionally(error);
        return;
      }
      log.debug("command {} in {}: {}; asking again", w.commandId, target, error.getMessage());
    } else if (inv.ended()) {
      w.done.complete(inv);
      return;
    }
    if (!clock.instant().isBefore(w.deadline)) {
      w.done.complete(
          new Invocation(
              w.commandId,
              "TimedOut",
              -1,
              "amifleet stopped waiting at "
                  + w.deadline
                  + (inv == null ? "" : " (it was " + inv.status() + ")"),
              true));
    }
  }
}
