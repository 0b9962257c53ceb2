package io.amifleet.worker;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.PruneMessage;
import io.amifleet.worker.copy.CopyService;
import io.amifleet.worker.copy.CopySlots;
import io.amifleet.worker.copy.Ec2CopyService;
import io.amifleet.worker.copy.ImageCopier;
import io.amifleet.worker.hook.HookRunner;
import io.amifleet.worker.hook.HookService;
import io.amifleet.worker.hook.InvocationWaiter;
import io.amifleet.worker.hook.SsmHookService;
import io.amifleet.worker.image.ImageAvailability;
import io.amifleet.worker.image.ImageEvents;
import io.amifleet.worker.image.ImageMaker;
import io.amifleet.worker.image.ImageService;
import io.amifleet.worker.image.ImageWaiter;
import io.amifleet.worker.image.NewJobs;
import io.amifleet.worker.job.JobPipeline;
import io.amifleet.worker.job.JobProcessor;
import io.amifleet.worker.job.JobValidator;
import io.amifleet.worker.lifecycle.Worker;
import io.amifleet.worker.outcome.FailurePolicy;
import io.amifleet.worker.outcome.OutcomeRouter;
import io.amifleet.worker.outcome.ResultSink;
import io.amifleet.worker.outcome.RetryBackoff;
import io.amifleet.worker.outcome.SqsResultSink;
import io.amifleet.worker.outcome.WorkerEvents;
import io.amifleet.worker.poll.JobQueue;
import io.amifleet.worker.poll.JobSource;
import io.amifleet.worker.poll.MessageSource;
import io.amifleet.worker.poll.SqsJobQueue;
import io.amifleet.worker.step.ApplyRetentionStep;
import io.amifleet.worker.step.AwaitAvailableStep;
import io.amifleet.worker.step.CopyImagesStep;
import io.amifleet.worker.step.EnsureImageStep;
import io.amifleet.worker.step.PostHookStep;
import io.amifleet.worker.step.PreHookStep;
import io.amifleet.worker.step.ResolveRoleStep;
import io.amifleet.worker.visibility.VisibilityHeartbeat;
import jakarta.inject.Named;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Bindings of a worker; needs the common, AWS and queue modules. {@code consumers} is the number of
 * queue consumers in this process ({@code run --workers N}); {@code events} observes the work.
 *
 * <p>The one place that says what a job does: {@link #pipelines} lists each kind's steps in order,
 * and the message sources the worker consumes are the set bound here.
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

  /**
   * How often the hooks' invocations of one account+region are checked: hooks are short (a freeze
   * holds the instance's writes), so they are asked about more often than images.
   */
  public static final Duration HOOK_POLL_INTERVAL = Duration.ofSeconds(1);

  /**
   * AMI copies one worker has in progress per destination account+region: EC2's limit of concurrent
   * copies per destination Region, as the issue gives it (300; {@link CopySlots}).
   */
  public static final int COPIES_PER_DESTINATION = 300;

  private final WorkerSettings settings;
  private final int consumers;
  private final WorkerEvents events;
  private final NewJobs newJobs;

  public WorkerModule(WorkerSettings settings, int consumers, WorkerEvents events) {
    this(settings, consumers, events, NewJobs.NONE);
  }

  private WorkerModule(
      WorkerSettings settings, int consumers, WorkerEvents events, NewJobs newJobs) {
    this.settings = requireNonNull(settings, "settings is null");
    this.consumers = consumers;
    this.events = requireNonNull(events, "events is null");
    this.newJobs = requireNonNull(newJobs, "newJobs is null");
  }

  /**
   * The same, for single-machine mode's run {@code runId}, whose ID this process made and whose
   * queue is its own: the first attempt of each of its jobs skips the look-up ({@link NewJobs}).
   */
  public WorkerModule forNewRun(String runId) {
    return new WorkerModule(settings, consumers, events, NewJobs.ofRun(runId));
  }

  @Override
  protected void configure() {
    install(new ImageModule(settings));
    bind(WorkerSettings.class).toInstance(settings);
    bind(WorkerEvents.class).toInstance(events);
    bind(NewJobs.class).toInstance(newJobs);
    bind(JobQueue.class).to(SqsJobQueue.class).in(Singleton.class);
    bind(SqsJobQueue.class).in(Singleton.class);
    bind(ResultSink.class).to(SqsResultSink.class).in(Singleton.class);
    bind(SqsResultSink.class).in(Singleton.class);
    bind(ImageAvailability.class).to(ImageWaiter.class);
    bind(ImageEvents.class).to(ImageWaiter.class);
    bind(FailurePolicy.class).in(Singleton.class);
    bind(OutcomeRouter.class).in(Singleton.class);
    bind(ResolveRoleStep.class).in(Singleton.class);
    bind(EnsureImageStep.class).in(Singleton.class);
    bind(AwaitAvailableStep.class).in(Singleton.class);
    bind(ApplyRetentionStep.class).in(Singleton.class);
    bind(PreHookStep.class).in(Singleton.class);
    bind(PostHookStep.class).in(Singleton.class);
    bind(HookService.class).to(SsmHookService.class).in(Singleton.class);
    bind(SsmHookService.class).in(Singleton.class);
    bind(CopyImagesStep.class).in(Singleton.class);
    bind(CopyService.class).to(Ec2CopyService.class).in(Singleton.class);
    bind(Ec2CopyService.class).in(Singleton.class);
    bind(JobProcessor.class).in(Singleton.class);
    bind(JobSource.class).in(Singleton.class);
    Multibinder.newSetBinder(binder(), MessageSource.class).addBinding().to(JobSource.class);
  }

  /** Each kind of job and its steps, in order: a new step is added here. */
  @Provides
  @Singleton
  List<JobPipeline> pipelines(
      ResolveRoleStep resolveRole,
      PreHookStep preHook,
      EnsureImageStep ensureImage,
      PostHookStep postHook,
      AwaitAvailableStep awaitAvailable,
      CopyImagesStep copyImages,
      ApplyRetentionStep applyRetention) {
    return List.of(
        JobPipeline.of(
            JobMessage.class,
            resolveRole,
            preHook,
            ensureImage,
            postHook,
            awaitAvailable,
            copyImages),
        JobPipeline.of(PruneMessage.class, resolveRole, applyRetention));
  }

  @Provides
  @Singleton
  ImageMaker imageMaker(
      ImageService images, @Named(ImageModule.TIMER) ScheduledExecutorService timer) {
    return new ImageMaker(images, timer, LOOKUP_WINDOW, NAME_LOOKUP_PAUSE);
  }

  @Provides
  @Singleton
  ImageCopier imageCopier(ImageService images, CopyService copies, ImageAvailability availability) {
    return new ImageCopier(images, copies, availability, new CopySlots(COPIES_PER_DESTINATION));
  }

  @Provides
  @Singleton
  ImageWaiter imageWaiter(
      ImageService images, @Named(ImageModule.TIMER) ScheduledExecutorService timer, Clock clock) {
    return new ImageWaiter(images, timer, clock, settings.pollInterval(), FIRST_CHECK);
  }

  @Provides
  @Singleton
  HookRunner hookRunner(
      HookService ssm, @Named(ImageModule.TIMER) ScheduledExecutorService timer, Clock clock) {
    return new HookRunner(
        ssm, new InvocationWaiter(ssm, timer, clock, HOOK_POLL_INTERVAL), clock, events);
  }

  @Provides
  @Singleton
  VisibilityHeartbeat heartbeat(
      JobQueue queue,
      @Named(ImageModule.TIMER) ScheduledExecutorService timer,
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
  Worker worker(Set<MessageSource> sources, VisibilityHeartbeat heartbeat, Clock clock) {
    return new Worker(settings, consumers, sources, heartbeat, clock);
  }
}
