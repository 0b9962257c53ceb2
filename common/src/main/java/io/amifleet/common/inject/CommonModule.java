package io.amifleet.common.inject;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.amifleet.common.config.Environment;
import io.amifleet.common.config.OrganizationAccounts;
import io.amifleet.common.config.TargetsLoader;
import io.amifleet.common.config.TargetsSource;
import io.amifleet.common.json.Json;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.message.MessageCodec;
import java.time.Clock;

/**
 * Bindings every command shares: JSON, the message codec, the environment, the clock, the targets
 * loader and the {@link Closer} that owns the command's resources.
 */
public final class CommonModule extends AbstractModule {
  private final Environment environment;
  private final Clock clock;
  private final Closer closer;

  public CommonModule(Environment environment, Clock clock, Closer closer) {
    this.environment = requireNonNull(environment, "environment is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.closer = requireNonNull(closer, "closer is null");
  }

  @Override
  protected void configure() {
    binder().requireExplicitBindings();
    binder().disableCircularProxies();
    bind(Environment.class).toInstance(environment);
    bind(Clock.class).toInstance(clock);
    bind(Closer.class).toInstance(closer);
    bind(MessageCodec.class).in(Singleton.class);
    bind(TargetsLoader.class).in(Singleton.class);
    bind(TargetsSource.class).in(Singleton.class);
    bind(OrganizationAccounts.class).in(Singleton.class);
  }

  @Provides
  @Singleton
  ObjectMapper objectMapper() {
    return Json.newMapper();
  }
}
