package io.amifleet.worker;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.amifleet.common.aws.Threads;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.worker.image.Ec2AsyncImageService;
import io.amifleet.worker.image.ImageMaker;
import io.amifleet.worker.image.ImageService;
import io.amifleet.worker.image.ImageWaiter;
import io.amifleet.worker.lifecycle.Worker;
import io.amifleet.worker.outcome.OutcomeRouter;
import io.amifleet.worker.outcome.ResultSink;
import io.amifleet.worker.outcome.RetryBackoff;
import io.amifleet.worker.outcome.SqsResultSink;
import io.amifleet.worker.outcome.WorkerEvents;
import io.amifleet.worker.poll.JobQueue;
import io.amifleet.worker.poll.SqsJobQueue;
import io.amifleet.worker.process.JobProcessor;
import io.amifleet.worker.process.JobValidator;
import io.amifleet.worker.prune.Pruner;
import io.amifleet.worker.throttle.MutationLimiter;
import io.amifleet.worker.visibility.VisibilityHeartbeat;
import jakarta.inject.Named;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Bindings of a worker; needs the common, AWS and queue modules. {@code consumers} is the number of
 * queue consumers in this process ({@code run --workers N}); {@code events} observes the work.
 */
public final class WorkerModule extends AbstractModule {
  /** How soon a new account+region's waiting images are first checked. */
  public static final Duration FIRST_CHECK = Duration.ofSeconds(1);

  /** How long a job's image look-up waits for others of its account+region to share a call. */
  public static final Duration LOOKUP_WINDOW = Duration.ofMillis(50);

  /**
   * The first pause before a taken name is looked up again while its image is not visible yet (then
   * 2, 4 s: about 7 s in all before the job is retried).
   */
  public static final Duration NAME_LOOKUP_PAUSE = Duration.ofSeconds(1);

  private final WorkerSettings settings;
  private final int consumers;
  private final WorkerEvents events;

  public WorkerModule(WorkerSettings settings, int consumers, WorkerEvents events) {
    this.settings = requireNonNull(settings, "settings is null");
    this.consumers = consumers;
    this.events = requireNonNull(events, "events is null");
  }

  @Override
  protected void configure() {
    bind(WorkerSettings.class).toInstance(settings);
    bind(WorkerEvents.class).toInstance(events);
    bind(JobQueue.class).to(SqsJobQueue.class).in(Singleton.class);
    bind(SqsJobQueue.class).in(Singleton.class);
    bind(ResultSink.class).to(SqsResultSink.class).in(Singleton.class);
    bind(SqsResultSink.class).in(Singleton.class);
    bind(ImageService.class).to(Ec2AsyncImageService.class).in(Singleton.class);
    bind(Ec2AsyncImageService.class).in(Singleton.class);
    bind(OutcomeRouter.class).in(Singleton.class);
    bind(Pruner.class).in(Singleton.class);
  }

  @Provides
  @Singleton
  @Named("worker-timer")
  ScheduledExecutorService timer(Closer closer) {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(2, Threads.named("amifleet-worker-timer"));
    timer.setRemoveOnCancelPolicy(true);
    closer.register("worker timer", timer::shutdownNow);
    return timer;
  }

  @Provides
  @Singleton
  MutationLimiter mutationLimiter(@Named("worker-timer") ScheduledExecutorService timer) {
    return new MutationLimiter(settings.mutationRate(), settings.mutationBurst(), timer);
  }

  @Provides
  @Singleton
  ImageMaker imageMaker(
      ImageService images, @Named("worker-timer") ScheduledExecutorService timer) {
    return new ImageMaker(images, timer, LOOKUP_WINDOW, NAME_LOOKUP_PAUSE);
  }

  @Provides
  @Singleton
  ImageWaiter imageWaiter(
      ImageService images, @Named("worker-timer") ScheduledExecutorService timer, Clock clock) {
    return new ImageWaiter(images, timer, clock, settings.pollInterval(), FIRST_CHECK);
  }

  @Provides
  @Singleton
  VisibilityHeartbeat heartbeat(
      JobQueue queue,
      @Named("worker-timer") ScheduledExecutorService timer,
      Clock clock,
      Closer closer) {
    return closer.register(
        "visibility heartbeat",
        new VisibilityHeartbeat(queue, timer, clock, settings.visibilityTimeout()));
  }

  @Provides
  @Singleton
  RetryBackoff retryBackoff() {
    return new RetryBackoff(settings.retryBaseDelay(), settings.retryMaxDelay());
  }

  @Provides
  @Singleton
  JobValidator jobValidator() {
    return new JobValidator(settings.allowedAccounts());
  }

  @Provides
  @Singleton
  JobProcessor jobProcessor(
      MessageCodec codec,
      JobValidator validator,
      ImageService images,
      ImageMaker maker,
      ImageWaiter waiter,
      VisibilityHeartbeat heartbeat,
      OutcomeRouter router,
      JobQueue queue,
      Clock clock,
      Pruner pruner) {
    return new JobProcessor(
        codec,
        validator,
        images,
        maker,
        waiter,
        heartbeat,
        router,
        queue,
        events,
        clock,
        settings.maxWait(),
        pruner);
  }

  @Provides
  @Singleton
  Worker worker(
      JobQueue queue,
      ResultSink results,
      JobProcessor processor,
      OutcomeRouter router,
      ImageWaiter waiter,
      VisibilityHeartbeat heartbeat,
      Clock clock) {
    return new Worker(
        settings, consumers, queue, results, processor, router, waiter, heartbeat, clock);
  }
}
