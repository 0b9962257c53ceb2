package io.amifleet.worker.hook;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.log.JobMdc;
import io.amifleet.common.message.HookCommand;
import io.amifleet.common.message.JobMessage;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.outcome.WorkerEvents;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a job's hooks through SSM Run Command: sends a command to the job's instance and waits for
 * it to end ({@link InvocationWaiter}, holding no thread).
 *
 * <p>Where the fact "pre ran" lives, so that it survives a worker that crashed between pre and
 * post: in SSM itself. Each command's comment names its hook and the job ({@code amifleet pre
 * <jobId>}), and SSM keeps the commands of an instance for 30 days (ListCommands). A job's next
 * attempt lists them: more pre commands than post ones means an attempt ended without its post,
 * which then runs first. Nothing else (no tag, no table) has to be written, and nothing can be lost
 * between sending pre and writing down that it was sent. Thread-safe.
 */
public final class HookRunner {
  private static final Logger log = LoggerFactory.getLogger(HookRunner.class);

  /** A hook, as its commands' comments name it. */
  public enum Phase {
    PRE,
    POST;

    String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** How many times a post hook's SendCommand is sent at most (see {@link #runPost}). */
  static final int POST_SENDS = 3;

  /** The first pause before SSM is asked whether a post arrived; it doubles each time. */
  public static final Duration POST_PAUSE = Duration.ofSeconds(1);

  private final HookService ssm;
  private final InvocationWaiter waiter;
  private final Clock clock;
  private final WorkerEvents events;
  private final Duration postPause;

  public HookRunner(HookService ssm, InvocationWaiter waiter, Clock clock, WorkerEvents events) {
    this(ssm, waiter, clock, events, POST_PAUSE);
  }

  /** With {@code postPause} instead of {@link #POST_PAUSE} (tests). */
  public HookRunner(
      HookService ssm,
      InvocationWaiter waiter,
      Clock clock,
      WorkerEvents events,
      Duration postPause) {
    this.ssm = requireNonNull(ssm, "ssm is null");
    this.waiter = requireNonNull(waiter, "waiter is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.events = WorkerEvents.guarded(requireNonNull(events, "events is null"));
    this.postPause = requireNonNull(postPause, "postPause is null");
  }

  /** The comment of a job's hook command: {@code amifleet pre <jobId>} (SSM allows 100 chars). */
  public static String comment(Phase phase, String jobId) {
    return "amifleet " + phase.word() + " " + jobId;
  }

  /** Sends the job's {@code phase} command; the command ID. */
  public CompletableFuture<String> send(
      Ec2Target target, JobMessage job, Phase phase, HookCommand command) {
    JobMdc.with(
        job,
        () ->
            log.info(
                "job {}: {} hook: {} on {}",
                job.jobId(),
                phase.word(),
                command.document(),
                job.instanceId()));
    return ssm.send(target, job.instanceId(), command, comment(phase, job.jobId()));
  }

  /** The invocation of {@code commandId} once it ended, or at its hook's timeout from now. */
  public CompletableFuture<Invocation> await(
      Ec2Target target, JobMessage job, String commandId, HookCommand command) {
    return waiter.await(
        target,
        commandId,
        job.instanceId(),
        clock.instant().plus(Duration.ofSeconds(command.timeoutSeconds())));
  }

  /**
   * Completes once {@code pre} really ended on the instance. A pre amifleet gave up on at its
   * timeout may still be delivered (SSM tries for TimeoutSeconds, at least 30 s) and then run for
   * up to its executionTimeout: a post sent meanwhile could run before the freeze and leave the
   * instance frozen, so post waits for that end, at most as long as SSM may take.
   */
  public CompletableFuture<Void> preEnded(
      Ec2Target target, JobMessage job, CompletableFuture<Invocation> pre, HookCommand command) {
    return pre.handle((inv, e) -> inv)
        .thenCompose(
            inv -> {
              if (inv == null || !inv.gaveUp()) {
                return CompletableFuture.completedFuture(null);
              }
              long most =
                  Math.max(SsmHookService.MIN_DELIVERY_TIMEOUT_SECONDS, command.timeoutSeconds())
                      + (long) command.timeoutSeconds();
              return waiter
                  .await(
                      target,
                      inv.commandId(),
                      job.instanceId(),
                      clock.instant().plus(Duration.ofSeconds(most)))
                  .handle((x, e) -> null);
            });
  }

  /**
   * Runs the post hook and waits for it; a SendCommand whose answer may have been lost is checked
   * and sent again ({@link #sendPost}). Never fails: a post that fails (or cannot be sent) is
   * reported loudly, in the log at ERROR, to {@code report} (the job's result) and to the worker's
   * events (metrics), because a thaw that never ran leaves the instance frozen.
   */
  public CompletableFuture<Void> runPost(
      Ec2Target target, JobMessage job, HookCommand post, Consumer<String> report) {
    return sendPost(target, job, post, 1)
        .thenCompose(id -> await(target, job, id, post))
        .handle(
            (inv, e) -> {
              if (e == null && inv.succeeded()) {
                JobMdc.with(
                    job,
                    () ->
                        log.info(
                            "job {}: post hook succeeded on {}", job.jobId(), job.instanceId()));
                return null;
              }
              String what = e != null ? AwsErrors.unwrap(e).toString() : inv.describe();
              JobMdc.with(
                  job,
                  () ->
                      log.error(
                          "job {}: POST HOOK FAILED on {} in {}: {}. The instance may still be"
                              + " frozen or paused: run the post command by hand.",
                          job.jobId(),
                          job.instanceId(),
                          target,
                          what));
              report.accept("post hook failed: " + what);
              events.hookFailed(job, Phase.POST.word(), what);
              return null;
            });
  }

  /**
   * Sends the post command; when SendCommand fails in a way that may have lost only its answer (a
   * connection closed during the request, a 5xx), asks SSM whether the post arrived all the same
   * before sending it again ({@link #POST_SENDS} times at most, after a pause that lets
   * ListCommands see a command just sent): SendCommand takes no client token, and a post sent twice
   * would run twice, while a post never sent leaves the instance frozen. The post arrived when the
   * job's post commands are as many as its pre ones (each earlier attempt's pre got its post before
   * this attempt's pre was sent).
   */
  private CompletableFuture<String> sendPost(
      Ec2Target target, JobMessage job, HookCommand post, int sending) {
    return send(target, job, Phase.POST, post)
        .exceptionallyCompose(
            e -> {
              var error = AwsErrors.translate(e, "SendCommand of the post hook");
              if (sending >= POST_SENDS || !error.retryable()) {
                return CompletableFuture.failedFuture(e);
              }
              JobMdc.with(
                  job,
                  () ->
                      log.warn(
                          "job {}: sending the post hook failed ({}); asking SSM whether it"
                              + " arrived before sending it again",
                          job.jobId(),
                          error.getMessage()));
              Executor later =
                  CompletableFuture.delayedExecutor(
                      postPause.toMillis() << (sending - 1), TimeUnit.MILLISECONDS);
              return CompletableFuture.supplyAsync(() -> null, later)
                  .thenCompose(x -> sentPost(target, job))
                  .thenCompose(
                      arrived ->
                          arrived.isPresent()
                              ? CompletableFuture.completedFuture(arrived.get())
                              : sendPost(target, job, post, sending + 1));
            });
  }

  /** The job's newest post command, when SSM has as many of its posts as of its pres. */
  private CompletableFuture<Optional<String>> sentPost(Ec2Target target, JobMessage job) {
    return ssm.sentTo(target, job.instanceId())
        .thenApply(
            sent -> {
              long posts = count(sent, Phase.POST, job);
              return posts == 0 || posts < count(sent, Phase.PRE, job)
                  ? Optional.empty()
                  : newest(sent, Phase.POST, job);
            });
  }

  private static long count(List<HookService.SentCommand> sent, Phase phase, JobMessage job) {
    String comment = comment(phase, job.jobId());
    return sent.stream().filter(c -> comment.equals(c.comment())).count();
  }

  /** The newest of the job's {@code phase} commands ({@code sent} is newest first). */
  private static Optional<String> newest(
      List<HookService.SentCommand> sent, Phase phase, JobMessage job) {
    String comment = comment(phase, job.jobId());
    return sent.stream()
        .filter(c -> comment.equals(c.comment()))
        .findFirst()
        .map(HookService.SentCommand::commandId);
  }

  /**
   * The pre command an earlier attempt of the job sent without its post, if any (see the class
   * comment): the newest pre, when the job's pre commands outnumber its post ones.
   */
  public CompletableFuture<Optional<String>> unfinishedPre(Ec2Target target, JobMessage job) {
    return ssm.sentTo(target, job.instanceId())
        .thenApply(
            (List<HookService.SentCommand> sent) ->
                count(sent, Phase.PRE, job) <= count(sent, Phase.POST, job)
                    ? Optional.empty()
                    : newest(sent, Phase.PRE, job));
  }
}
