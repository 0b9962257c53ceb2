package io.amifleet.worker.hook;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.message.HookCommand;
import io.amifleet.common.message.JobMessage;
import io.amifleet.testing.MutableClock;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.outcome.WorkerEvents;
import io.amifleet.worker.testing.TestJobs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Waiting for hook invocations, and finding a pre that never got its post, over a fake SSM. */
class InvocationWaiterTest {
  private static final JobMessage JOB = TestJobs.job();
  private static final Ec2Target TARGET = Ec2Target.of(JOB);

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
  private final FakeSsm ssm = new FakeSsm();
  private final InvocationWaiter waiter =
      new InvocationWaiter(ssm, timer, clock, Duration.ofMillis(10));

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  @Test
  void aWaitEndsWhenTheInvocationEnded() throws Exception {
    ssm.status.put("c-1", "InProgress");
    CompletableFuture<Invocation> wait =
        waiter.await(TARGET, "c-1", JOB.instanceId(), clock.instant().plusSeconds(60));
    Thread.sleep(50);
    assertThat(wait).isNotDone();

    ssm.status.put("c-1", "Success");

    assertThat(wait.get(5, SECONDS).succeeded()).isTrue();
  }

  @Test
  void aWaitPastItsDeadlineEndsTimedOutWithWhatTheInvocationWas() throws Exception {
    ssm.status.put("c-1", "InProgress");
    CompletableFuture<Invocation> wait =
        waiter.await(TARGET, "c-1", JOB.instanceId(), clock.instant().plusSeconds(60));

    clock.advance(Duration.ofSeconds(61));

    Invocation timedOut = wait.get(5, SECONDS);
    assertThat(timedOut.status()).isEqualTo("TimedOut");
    assertThat(timedOut.describe()).contains("it was InProgress");
  }

  @Test
  void aThrottledCheckKeepsWaitingAndAPermanentErrorEndsTheWait() throws Exception {
    ssm.status.put("c-1", "InProgress");
    ssm.failing.put(
        "c-1", new AmiFleetException(ErrorKind.RETRYABLE, "ThrottlingException", "slow down"));
    ssm.failing.put(
        "c-2", new AmiFleetException(ErrorKind.PERMANENT, "AccessDeniedException", "no"));
    CompletableFuture<Invocation> throttled =
        waiter.await(TARGET, "c-1", JOB.instanceId(), clock.instant().plusSeconds(60));
    CompletableFuture<Invocation> denied =
        waiter.await(TARGET, "c-2", JOB.instanceId(), clock.instant().plusSeconds(60));

    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> denied.get(5, SECONDS));
    assertThat(e.getCause()).hasMessageContaining("no");
    assertThat(throttled).isNotDone();
    ssm.failing.remove("c-1");
    ssm.status.put("c-1", "Failed");
    assertThat(throttled.get(5, SECONDS).status()).isEqualTo("Failed");
  }

  @Test
  void aCancelledWaitIsNoLongerAskedAbout() throws Exception {
    ssm.status.put("c-1", "InProgress");
    CompletableFuture<Invocation> wait =
        waiter.await(TARGET, "c-1", JOB.instanceId(), clock.instant().plusSeconds(60));
    Thread.sleep(50);

    wait.cancel(false);
    Thread.sleep(50);
    int asked = ssm.asked.size();
    Thread.sleep(100);

    assertThat(ssm.asked).hasSize(asked);
  }

  @Test
  void aPreWithoutItsPostIsFoundByItsComment() throws Exception {
    HookRunner runner = new HookRunner(ssm, waiter, clock, WorkerEvents.NONE);
    String pre = HookRunner.comment(HookRunner.Phase.PRE, JOB.jobId());
    String post = HookRunner.comment(HookRunner.Phase.POST, JOB.jobId());
    ssm.sent.add(new HookService.SentCommand("c-old", "someone else's", Instant.EPOCH));
    assertThat(runner.unfinishedPre(TARGET, JOB).get(5, SECONDS)).isEmpty();

    ssm.sent.add(0, new HookService.SentCommand("c-1", pre, Instant.EPOCH.plusSeconds(1)));
    assertThat(runner.unfinishedPre(TARGET, JOB).get(5, SECONDS)).contains("c-1");

    ssm.sent.add(0, new HookService.SentCommand("c-2", post, Instant.EPOCH.plusSeconds(2)));
    assertThat(runner.unfinishedPre(TARGET, JOB).get(5, SECONDS)).isEqualTo(Optional.empty());
  }

  @Test
  void postWaitsForAPreAmifleetGaveUpOnToReallyEndOnTheInstance() throws Exception {
    HookRunner runner = new HookRunner(ssm, waiter, clock, WorkerEvents.NONE);
    HookCommand freeze = HookCommand.script("AWS-RunShellScript", List.of("fsfreeze -f /d"), 10);
    ssm.status.put("c-1", "InProgress");
    Invocation gaveUp = new Invocation("c-1", "TimedOut", -1, "amifleet stopped waiting", true);

    CompletableFuture<Void> ready =
        runner.preEnded(TARGET, JOB, CompletableFuture.completedFuture(gaveUp), freeze);
    Thread.sleep(50);
    assertThat(ready).as("the freeze may still run").isNotDone();
    ssm.status.put("c-1", "Success");
    ready.get(5, SECONDS);

    Invocation ended = new Invocation("c-2", "Failed", 1, "");
    assertThat(runner.preEnded(TARGET, JOB, CompletableFuture.completedFuture(ended), freeze))
        .as("SSM said it ended")
        .isDone();
  }

  private static final HookCommand THAW =
      HookCommand.script("AWS-RunShellScript", List.of("fsfreeze -u /d"), 10);

  private HookRunner postRunner() {
    ssm.sent.add(
        0,
        new HookService.SentCommand(
            "c-pre", HookRunner.comment(HookRunner.Phase.PRE, JOB.jobId()), Instant.EPOCH));
    return new HookRunner(ssm, waiter, clock, WorkerEvents.NONE, Duration.ofMillis(10));
  }

  @Test
  void aPostWhoseAnswerWasLostIsAwaitedNotSentAgain() throws Exception {
    HookRunner runner = postRunner();
    ssm.sends.add(FakeSsm.Send.ANSWER_LOST);
    ssm.status.put("c-s0", "Success");
    List<String> reported = Collections.synchronizedList(new ArrayList<>());

    runner.runPost(TARGET, JOB, THAW, reported::add).get(5, SECONDS);

    assertThat(ssm.sendsMade).as("the post was sent once").hasSize(1);
    assertThat(ssm.asked).as("its invocation was awaited").contains("c-s0");
    assertThat(reported).isEmpty();
  }

  @Test
  void aPostThatNeverReachedSsmIsSentAgain() throws Exception {
    HookRunner runner = postRunner();
    ssm.sends.add(FakeSsm.Send.NEVER_ARRIVED);
    ssm.status.put("c-s1", "Success");
    List<String> reported = Collections.synchronizedList(new ArrayList<>());

    runner.runPost(TARGET, JOB, THAW, reported::add).get(5, SECONDS);

    assertThat(ssm.sendsMade)
        .containsExactly(
            HookRunner.comment(HookRunner.Phase.POST, JOB.jobId()),
            HookRunner.comment(HookRunner.Phase.POST, JOB.jobId()));
    assertThat(ssm.asked).contains("c-s1");
    assertThat(reported).isEmpty();
  }

  @Test
  void aPostThatCannotBeSentIsTriedThreeTimesThenReported() throws Exception {
    HookRunner runner = postRunner();
    for (int i = 0; i < 5; i++) {
      ssm.sends.add(FakeSsm.Send.NEVER_ARRIVED);
    }
    List<String> reported = Collections.synchronizedList(new ArrayList<>());

    runner.runPost(TARGET, JOB, THAW, reported::add).get(5, SECONDS);

    assertThat(ssm.sendsMade).hasSize(3);
    assertThat(reported).singleElement().asString().startsWith("post hook failed");
  }

  @Test
  void aPostRefusedForGoodIsNotSentAgain() throws Exception {
    HookRunner runner = postRunner();
    ssm.sends.add(FakeSsm.Send.DENIED);
    List<String> reported = Collections.synchronizedList(new ArrayList<>());

    runner.runPost(TARGET, JOB, THAW, reported::add).get(5, SECONDS);

    assertThat(ssm.sendsMade).hasSize(1);
    assertThat(reported).singleElement().asString().contains("no");
  }

  /** SSM as a map of command statuses; records what it was asked. */
  private static final class FakeSsm implements HookService {
    final Map<String, String> status = new ConcurrentHashMap<>();
    final Map<String, RuntimeException> failing = new ConcurrentHashMap<>();
    final List<String> asked = Collections.synchronizedList(new ArrayList<>());
    final List<SentCommand> sent = Collections.synchronizedList(new ArrayList<>());

    /** What the next sends do, in order; when empty a send arrives and is answered. */
    final java.util.Deque<Send> sends = new java.util.concurrent.ConcurrentLinkedDeque<>();

    final List<String> sendsMade = Collections.synchronizedList(new ArrayList<>());

    enum Send {
      ANSWERED,
      /** SSM took the command, then the answer was lost (a connection closed). */
      ANSWER_LOST,
      /** The request never reached SSM (a connection closed before it was read). */
      NEVER_ARRIVED,
      DENIED
    }

    @Override
    public CompletableFuture<String> send(
        Ec2Target target, String instanceId, HookCommand command, String comment) {
      Send what = sends.isEmpty() ? Send.ANSWERED : sends.poll();
      String id = "c-s" + sendsMade.size();
      sendsMade.add(comment);
      if (what == Send.ANSWERED || what == Send.ANSWER_LOST) {
        sent.add(0, new SentCommand(id, comment, Instant.EPOCH.plusSeconds(10 + sendsMade.size())));
      }
      return switch (what) {
        case ANSWERED -> CompletableFuture.completedFuture(id);
        case ANSWER_LOST, NEVER_ARRIVED ->
            CompletableFuture.failedFuture(
                new AmiFleetException(
                    ErrorKind.RETRYABLE,
                    "SdkClientException",
                    "The connection was closed during the request"));
        case DENIED ->
            CompletableFuture.failedFuture(
                new AmiFleetException(ErrorKind.PERMANENT, "AccessDeniedException", "no"));
      };
    }

    @Override
    public CompletableFuture<Invocation> invocation(
        Ec2Target target, String commandId, String instanceId) {
      asked.add(commandId);
      RuntimeException e = failing.get(commandId);
      if (e != null) {
        return CompletableFuture.failedFuture(e);
      }
      return CompletableFuture.completedFuture(
          new Invocation(commandId, status.getOrDefault(commandId, "Pending"), 0, ""));
    }

    @Override
    public CompletableFuture<List<SentCommand>> sentTo(Ec2Target target, String instanceId) {
      synchronized (sent) {
        return CompletableFuture.completedFuture(List.copyOf(sent));
      }
    }
  }
}
