package io.amifleet.dispatcher.preflight;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import io.amifleet.dispatcher.resolve.Ec2InstanceFinder;
import io.amifleet.dispatcher.resolve.InstanceFinder;

/** Bindings of {@code preflight}: no queues, nothing sent. Needs the common and AWS modules. */
public final class PreflightModule extends AbstractModule {
  @Override
  protected void configure() {
    bind(InstanceFinder.class).to(Ec2InstanceFinder.class).in(Singleton.class);
    bind(Ec2InstanceFinder.class).in(Singleton.class);
    bind(Preflight.class).in(Singleton.class);
    bind(CopyPreflight.class).in(Singleton.class);
  }
}
