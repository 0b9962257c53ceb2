package io.amifleet.dispatcher;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.name.Names;
import io.amifleet.common.ledger.RunRecorder;
import io.amifleet.dispatcher.enqueue.JobEnqueuer;
import io.amifleet.dispatcher.resolve.Ec2InstanceFinder;
import io.amifleet.dispatcher.resolve.InstanceFinder;
import io.amifleet.dispatcher.resolve.TargetResolver;

/**
 * Bindings of the dispatcher: find the instances, build and enqueue their jobs. Needs the common,
 * AWS and queue modules. ({@code preflight} has {@link
 * io.amifleet.dispatcher.preflight.PreflightModule}, without queues.)
 */
public final class DispatcherModule extends AbstractModule {
  /** Accounts and regions searched at once, unless {@code --parallelism} says otherwise. */
  public static final int DEFAULT_PARALLELISM = 16;

  private final int parallelism;

  public DispatcherModule(int parallelism) {
    this.parallelism = parallelism;
  }

  @Override
  protected void configure() {
    bindConstant().annotatedWith(Names.named(TargetResolver.PARALLELISM)).to(parallelism);
    bind(InstanceFinder.class).to(Ec2InstanceFinder.class).in(Singleton.class);
    bind(Ec2InstanceFinder.class).in(Singleton.class);
    bind(TargetResolver.class).in(Singleton.class);
    bind(JobEnqueuer.class).in(Singleton.class);
    bind(Dispatcher.class).in(Singleton.class);
    // No ledger unless the ledger's module binds one.
    OptionalBinder.newOptionalBinder(binder(), RunRecorder.class)
        .setDefault()
        .toInstance(RunRecorder.NONE);
  }
}
