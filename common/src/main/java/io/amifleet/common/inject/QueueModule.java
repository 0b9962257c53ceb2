package io.amifleet.common.inject;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import io.amifleet.common.queue.QueueSettings;
import io.amifleet.common.queue.Queues;
import io.amifleet.common.queue.ResultsReader;

/** Binds the queues a command works on. */
public final class QueueModule extends AbstractModule {
  private final QueueSettings settings;

  public QueueModule(QueueSettings settings) {
    this.settings = requireNonNull(settings, "settings is null");
  }

  @Override
  protected void configure() {
    bind(QueueSettings.class).toInstance(settings);
    bind(Queues.class).in(Singleton.class);
    bind(ResultsReader.class).in(Singleton.class);
  }
}
