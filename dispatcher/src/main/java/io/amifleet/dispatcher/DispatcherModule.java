package io.amifleet.dispatcher;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import com.google.inject.name.Names;
import io.amifleet.dispatcher.enqueue.JobEnqueuer;
import io.amifleet.dispatcher.preflight.Preflight;
import io.amifleet.dispatcher.resolve.Ec2InstanceFinder;
import io.amifleet.dispatcher.resolve.InstanceFinder;
import io.amifleet.dispatcher.resolve.TargetResolver;

/** Bindings of the dispatcher; needs the common, AWS and queue modules. */
public final class DispatcherModule extends AbstractModule {
  /** Accounts and regions searched at once, unless overridden. */
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
    bind(Preflight.class).in(Singleton.class);
  }
}
