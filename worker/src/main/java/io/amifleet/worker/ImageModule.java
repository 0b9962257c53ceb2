package io.amifleet.worker;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.amifleet.common.aws.AwsRuntime;
import io.amifleet.common.aws.RoleCredentials;
import io.amifleet.common.aws.Threads;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.worker.image.Ec2AsyncImageService;
import io.amifleet.worker.image.ImageService;
import io.amifleet.worker.prune.AwsImageUsage;
import io.amifleet.worker.prune.ImageUsage;
import io.amifleet.worker.prune.Pruner;
import io.amifleet.worker.prune.UsageClients;
import io.amifleet.worker.throttle.MutationLimiter;
import jakarta.inject.Named;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The EC2 side of a worker, without its queues: the image service in the target accounts (behind
 * the CreateImage limit), retention and its usage checks, and the timer they share. Installed by
 * {@link WorkerModule}; alone, it serves {@code prune --dry-run}, which plans without any queue.
 * Needs the common and AWS modules.
 */
public final class ImageModule extends AbstractModule {
  /** The name of the worker's timer (batch windows, pauses, polls, heartbeat). */
  public static final String TIMER = "worker-timer";

  private final WorkerSettings settings;

  public ImageModule(WorkerSettings settings) {
    this.settings = requireNonNull(settings, "settings is null");
  }

  @Override
  protected void configure() {
    bind(ImageService.class).to(Ec2AsyncImageService.class).in(Singleton.class);
    bind(Ec2AsyncImageService.class).in(Singleton.class);
    bind(Pruner.class).in(Singleton.class);
    bind(ImageUsage.class).to(AwsImageUsage.class).in(Singleton.class);
    bind(AwsImageUsage.class).in(Singleton.class);
  }

  @Provides
  @Singleton
  UsageClients usageClients(AwsRuntime runtime, RoleCredentials credentials, Closer closer) {
    return closer.register(
        "Auto Scaling, SSM and Recycle Bin clients", new UsageClients(runtime, credentials));
  }

  @Provides
  @Singleton
  @Named(TIMER)
  ScheduledExecutorService timer(Closer closer) {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(2, Threads.named("amifleet-worker-timer"));
    timer.setRemoveOnCancelPolicy(true);
    closer.register("worker timer", timer::shutdownNow);
    return timer;
  }

  @Provides
  @Singleton
  MutationLimiter mutationLimiter(@Named(TIMER) ScheduledExecutorService timer) {
    return new MutationLimiter(settings.mutationRate(), settings.mutationBurst(), timer);
  }
}
