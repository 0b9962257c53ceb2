package io.amifleet.worker.process;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.config.Retention;
import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.error.ErrorCodes;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.JobStatus;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.message.PruneMessage;
import io.amifleet.common.message.PruneSummary;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.common.message.WorkItem;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.image.ImageException;
import io.amifleet.worker.image.ImageInfo;
import io.amifleet.worker.image.ImageMaker;
import io.amifleet.worker.image.ImageService;
import io.amifleet.worker.image.ImageWaiter;
import io.amifleet.worker.outcome.JobOutcome;
import io.amifleet.worker.outcome.OutcomeRouter;
import io.amifleet.worker.outcome.WorkerEvents;
import io.amifleet.worker.poll.JobQueue;
import io.amifleet.worker.poll.ReceivedJob;
import io.amifleet.worker.prune.Pruner;
import io.amifleet.worker.visibility.VisibilityHeartbeat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one received message to its outcome: decode and validate → assume the role → adopt or create
 * the image (its snapshots tagged by CreateImage itself) → wait for it (no thread held) → route the
 * outcome. Every failure ends in a {@link JobOutcome}; the returned future completes when the
 * message has been dealt with and never fails. Thread-safe.
 */
public final class JobProcessor {
  private static final Logger log = LoggerFactory.getLogger(JobProcessor.class);

  private final MessageCodec codec;
  private final JobValidator validator;
  private final ImageService images;
  private final ImageMaker maker;
  private final ImageWaiter waiter;
  private final VisibilityHeartbeat heartbeat;
  private final OutcomeRouter router;
  private final JobQueue queue;
  private final WorkerEvents events;
  private final Clock clock;
  private final Duration maxWait;
  private final Pruner pruner;
  private final Set<CompletableFuture<?>> inWork = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;

  public JobProcessor(
      MessageCodec codec,
      JobValidator validator,
      ImageService images,
      ImageMaker maker,
      ImageWaiter waiter,
      VisibilityHeartbeat heartbeat,
      OutcomeRouter router,
      JobQueue queue,
      WorkerEvents events,
      Clock clock,
      Duration maxWait,
      Pruner pruner) {
    this.codec = requireNonNull(codec, "codec is null");
    this.validator = requireNonNull(validator, "validator is null");
    this.images = requireNonNull(images, "images is null");
    this.maker = requireNonNull(maker, "maker is null");
    this.waiter = requireNonNull(waiter, "waiter is null");
    this.heartbeat = requireNonNull(heartbeat, "heartbeat is null");
    this.router = requireNonNull(router, "router is null");
    this.queue = requireNonNull(queue, "queue is null");
    this.events = requireNonNull(events, "events is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.maxWait = requireNonNull(maxWait, "maxWait is null");
    this.pruner = requireNonNull(pruner, "pruner is null");
  }

  public CompletableFuture<Void> process(ReceivedJob message) {
    Instant startedAt = clock.instant();
    WorkItem item;
    try {
      item = codec.decodeWork(message.body());
    } catch (AmiFleetException e) {
      return router.route(message, null, new JobOutcome.Poison(e, Optional.empty()));
    }
    try {
      validator.check(item);
    } catch (AmiFleetException e) {
      ResultMessage result =
          failed(
              item,
              JobStatus.FAILED,
              null,
              e,
              e.getMessage(),
              message.receiveCount(),
              startedAt,
              clock.instant());
      return router.route(message, item, new JobOutcome.Poison(e, Optional.of(result)));
    }
    if (item instanceof PruneMessage prune) {
      return prune(message, prune, startedAt);
    }
    JobMessage job = (JobMessage) item;

    events.jobStarted(job, message.receiveCount());
    heartbeat.track(message);
    Ec2Target target = Ec2Target.of(job);
    Instant deadline = startedAt.plus(maxWait);
    AtomicReference<String> imageId = new AtomicReference<>();

    CompletableFuture<ImageInfo> work =
        images
            .ready(target)
            .thenCompose(x -> maker.ensure(target, job))
            .thenCompose(
                ref -> {
                  imageId.set(ref.imageId());
                  events.imageRequested(job, ref.imageId(), ref.adopted());
                  return waiter.await(target, ref.imageId(), deadline);
                });
    return abortable(work)
        .handle((made, error) -> outcome(message, job, startedAt, imageId.get(), made, error))
        // Stop extending visibility before the outcome sets it (a retry's backoff, a release):
        // an extension in flight must not override it.
        .thenCompose(
            outcome -> {
              heartbeat.untrack(message);
              return router.route(message, job, outcome);
            })
        .whenComplete((x, e) -> heartbeat.untrack(message));
  }

  /**
   * Ends every held job's work at once with {@link WorkerStopping}, whatever step it is in, so that
   * its message is released to another worker. An image requested already is adopted by that
   * worker, so nothing is made twice.
   */
  public void abortAll() {
    stopping = true;
    WorkerStopping stop = new WorkerStopping();
    inWork.forEach(f -> f.completeExceptionally(stop));
  }

  /**
   * The job's work, as a future that {@link #abortAll} can end early. Only jobs in progress are
   * held (a finished job leaves the set), so a worker that runs for months keeps nothing of the
   * jobs it finished.
   */
  private <T> CompletableFuture<T> abortable(CompletableFuture<T> work) {
    CompletableFuture<T> guarded = new CompletableFuture<>();
    inWork.add(guarded);
    guarded.whenComplete((v, e) -> inWork.remove(guarded));
    work.whenComplete(
        (v, e) -> {
          if (e != null) {
            guarded.completeExceptionally(e);
          } else {
            guarded.complete(v);
          }
        });
    if (stopping) {
      guarded.completeExceptionally(new WorkerStopping());
    }
    return guarded;
  }

  /** A prune job: the account's retention applied in one region. */
  private CompletableFuture<Void> prune(ReceivedJob message, PruneMessage job, Instant startedAt) {
    heartbeat.track(message);
    Ec2Target target = Ec2Target.of(job);
    Retention retention =
        new Retention(
            Optional.ofNullable(job.keepLast()),
            Optional.ofNullable(job.maxAgeSeconds()).map(Duration::ofSeconds));
    CompletableFuture<PruneSummary> work =
        images.ready(target).thenCompose(x -> pruner.prune(target, retention));
    return abortable(work)
        .handle(
            (summary, error) -> {
              Instant now = clock.instant();
              if (error == null) {
                return (JobOutcome)
                    new JobOutcome.Succeeded(
                        ResultMessage.pruned(
                            job,
                            JobStatus.SUCCEEDED,
                            summary,
                            null,
                            null,
                            message.receiveCount(),
                            startedAt,
                            now));
              }
              return failure(message, job, startedAt, null, error);
            })
        .thenCompose(
            outcome -> {
              heartbeat.untrack(message);
              return router.route(message, job, outcome);
            })
        .whenComplete((x, e) -> heartbeat.untrack(message));
  }

  private JobOutcome outcome(
      ReceivedJob message,
      JobMessage job,
      Instant startedAt,
      String imageId,
      ImageInfo image,
      Throwable error) {
    Instant now = clock.instant();
    int attempt = message.receiveCount();
    if (error == null) {
      return new JobOutcome.Succeeded(
          new ResultMessage(
              ResultMessage.VERSION,
              job.jobId(),
              job.runId(),
              job.accountId(),
              job.region(),
              job.instanceId(),
              JobStatus.SUCCEEDED,
              image.imageId(),
              job.imageName(),
              image.snapshotIds(),
              null,
              null,
              attempt,
              startedAt,
              now,
              null,
              null));
    }
    return failure(message, job, startedAt, imageId, error);
  }

  /** The outcome of a job or prune job that ended with {@code error}. */
  private JobOutcome failure(
      ReceivedJob message, WorkItem job, Instant startedAt, String imageId, Throwable error) {
    Instant now = clock.instant();
    int attempt = message.receiveCount();
    Throwable cause = AwsErrors.unwrap(error);
    if (cause instanceof WorkerStopping) {
      return new JobOutcome.Release();
    }
    AmiFleetException e = AwsErrors.translate(cause, "job " + job.jobId());
    if (e instanceof ImageException ie) {
      JobStatus status =
          ie.errorCode().equals(ErrorCodes.IMAGE_TIMED_OUT)
              ? JobStatus.TIMED_OUT
              : JobStatus.FAILED;
      return new JobOutcome.Unsuccessful(
          failed(job, status, ie.imageId(), e, e.getMessage(), attempt, startedAt, now), e);
    }
    if (e.kind() == ErrorKind.POISON) {
      return new JobOutcome.Poison(
          e,
          Optional.of(
              failed(job, JobStatus.FAILED, imageId, e, e.getMessage(), attempt, startedAt, now)));
    }
    if (e.kind() == ErrorKind.PERMANENT) {
      return new JobOutcome.Unsuccessful(
          failed(job, JobStatus.FAILED, imageId, e, e.getMessage(), attempt, startedAt, now), e);
    }
    int maxReceives = queue.maxReceiveCount();
    if (attempt >= maxReceives) {
      String gaveUp =
          "gave up after "
              + attempt
              + " attempts (maxReceiveCount "
              + maxReceives
              + "): "
              + e.getMessage();
      return new JobOutcome.Unsuccessful(
          failed(job, JobStatus.FAILED, imageId, e, gaveUp, attempt, startedAt, now),
          new AmiFleetException(ErrorKind.PERMANENT, e.errorCode(), gaveUp, e));
    }
    return new JobOutcome.Retry(e);
  }

  private static ResultMessage failed(
      WorkItem job,
      JobStatus status,
      String imageId,
      AmiFleetException e,
      String message,
      int attempt,
      Instant startedAt,
      Instant now) {
    if (job instanceof PruneMessage prune) {
      return ResultMessage.pruned(
          prune, status, null, e.errorCode(), message, attempt, startedAt, now);
    }
    return ResultMessage.unsuccessful(
        (JobMessage) job, status, imageId, e.errorCode(), message, attempt, startedAt, now);
  }
}
