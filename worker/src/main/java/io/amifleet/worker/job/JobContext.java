package io.amifleet.worker.job;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.message.ResultMessage;
import io.amifleet.common.message.WorkItem;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.poll.ReceivedJob;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One job on its way through its {@link JobPipeline}: what it is (the message, the decoded job,
 * where its EC2 calls go, when it started) and what its steps learn.
 *
 * <p>A step writes what the job's result reports with {@link #record} (the image, whether it was
 * adopted, its snapshots), and what later steps need as a typed fact ({@link #put} with a {@link
 * Key} that the producing step declares): a new step with a new fact changes no other class. A step
 * that starts something which must be followed up whatever happens next (a hook's post script after
 * its pre script) registers the follow-up with {@link #atExit}: the pipeline runs it on every exit
 * path, success, failure or release, unless a later step ran it already.
 *
 * <p>Steps run one after another, each on the thread that completed the one before; the methods are
 * synchronized so that a job released at shutdown can be reported while its current step is still
 * finishing.
 */
public final class JobContext {
  /** A fact a step learns, for the steps after it: e.g. the image the job ensured. */
  public record Key<T>(String name, Class<T> type) {
    public Key {
      requireNonNull(name, "name is null");
      requireNonNull(type, "type is null");
    }
  }

  private final ReceivedJob message;
  private final WorkItem work;
  private final Ec2Target target;
  private final Instant startedAt;
  private final List<Consumer<ResultMessage.Builder>> recorded = new ArrayList<>();
  private final Map<Key<?>, Object> facts = new HashMap<>();
  private final Deque<ExitAction> exitActions = new ArrayDeque<>();
  private final List<CompletableFuture<?>> releasable = new ArrayList<>();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();

  public JobContext(ReceivedJob message, WorkItem work, Instant startedAt) {
    this.message = requireNonNull(message, "message is null");
    this.work = requireNonNull(work, "work is null");
    this.startedAt = requireNonNull(startedAt, "startedAt is null");
    this.target = Ec2Target.of(work);
  }

  public ReceivedJob message() {
    return message;
  }

  public WorkItem work() {
    return work;
  }

  /** The job as the kind its pipeline handles. */
  public <T extends WorkItem> T work(Class<T> kind) {
    if (!kind.isInstance(work)) {
      throw new IllegalStateException(
          "a step for " + kind.getSimpleName() + " jobs got a " + work.getClass().getSimpleName());
    }
    return kind.cast(work);
  }

  /** Where the job's EC2 calls go: its role, account and region. */
  public Ec2Target target() {
    return target;
  }

  public Instant startedAt() {
    return startedAt;
  }

  /** The receive count of the job's message: 1 on the first delivery. */
  public int attempt() {
    return message.receiveCount();
  }

  public synchronized <T> void put(Key<T> key, T value) {
    facts.put(key, key.type().cast(requireNonNull(value, "value is null")));
  }

  /** A fact an earlier step learnt; a missing one is a pipeline in the wrong order. */
  public synchronized <T> T get(Key<T> key) {
    return find(key)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no " + key.name() + " yet: the step that learns it must run before"));
  }

  public synchronized <T> Optional<T> find(Key<T> key) {
    return Optional.ofNullable(facts.get(key)).map(key.type()::cast);
  }

  /** Writes what the job's result reports: {@code r -> r.imageId(id).adopted(true)}. */
  public synchronized void record(Consumer<ResultMessage.Builder> change) {
    recorded.add(requireNonNull(change, "change is null"));
  }

  /** The job's result so far (what the job says, and what its steps recorded), to be finished. */
  public synchronized ResultMessage.Builder result() {
    ResultMessage.Builder result =
        work.result().attempt(message.receiveCount()).startedAt(startedAt);
    recorded.forEach(change -> change.accept(result));
    return result;
  }

  /**
   * Registers {@code action} to run when the job leaves its pipeline, whatever way it leaves
   * (success, failure, release at shutdown), after the step running now. Actions run in reverse
   * order of registration; one that fails is logged and does not change the job's outcome. A later
   * step that must see the action done (and fail the job if it fails) calls {@link
   * ExitAction#runNow}.
   */
  public synchronized ExitAction atExit(String name, Supplier<CompletableFuture<Void>> action) {
    ExitAction a = new ExitAction(name, action);
    exitActions.push(a);
    return a;
  }

  /**
   * Marks {@code call} as one the job waits on that its release abandons: releasing the job cancels
   * it, so that whatever serves it (the image waiter) stops working for it.
   */
  public <T> CompletableFuture<T> releasable(CompletableFuture<T> call) {
    synchronized (this) {
      releasable.removeIf(CompletableFuture::isDone);
      releasable.add(call);
    }
    if (ended.isDone()) {
      call.cancel(false);
    }
    return call;
  }

  /** Ends the job early: its message goes back to the queue for another worker. */
  void release() {
    List<CompletableFuture<?>> abandoned;
    synchronized (this) {
      abandoned = List.copyOf(releasable);
    }
    ended.completeExceptionally(new WorkerStopping());
    abandoned.forEach(f -> f.cancel(false));
  }

  /** Completes when the steps are over: normally, or with the error that ended the job. */
  CompletableFuture<Void> ended() {
    return ended;
  }

  boolean isEnded() {
    return ended.isDone();
  }

  void end(Throwable error) {
    if (error == null) {
      ended.complete(null);
    } else {
      ended.completeExceptionally(error);
    }
  }

  /** The exit actions not run yet, newest first. */
  synchronized List<ExitAction> pendingExitActions() {
    return exitActions.stream().filter(a -> !a.started()).toList();
  }

  /** Something that must run when the job leaves its pipeline. Thread-safe. */
  public static final class ExitAction {
    private final String name;
    private final Supplier<CompletableFuture<Void>> action;
    private CompletableFuture<Void> run;

    private ExitAction(String name, Supplier<CompletableFuture<Void>> action) {
      this.name = requireNonNull(name, "name is null");
      this.action = requireNonNull(action, "action is null");
    }

    public String name() {
      return name;
    }

    /** Runs the action now, once; later calls (and the pipeline's) get the same future. */
    public synchronized CompletableFuture<Void> runNow() {
      if (run == null) {
        try {
          run = action.get();
        } catch (RuntimeException e) {
          run = CompletableFuture.failedFuture(e);
        }
      }
      return run;
    }

    synchronized boolean started() {
      return run != null;
    }
  }
}
