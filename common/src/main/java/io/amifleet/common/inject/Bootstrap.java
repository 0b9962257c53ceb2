package io.amifleet.common.inject;

import static java.util.Objects.requireNonNull;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import com.google.inject.spi.Message;
import com.google.inject.util.Modules;
import io.amifleet.common.aws.AwsSettings;
import io.amifleet.common.aws.HubIdentity;
import io.amifleet.common.config.Environment;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.queue.QueueSettings;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * Builds the injector of every entry point the same way: the commands, the tests' harnesses and the
 * benchmark. Always the common bindings ({@link CommonModule}: explicit bindings only, no circular
 * proxies); the AWS clients when {@link #aws} is given, the queues only when {@link #queues} is (a
 * command that uses none gets none, rather than made-up ones), and the modules of the work. The
 * production stage makes every singleton up front, so a missing region or a bad setting fails
 * before any work starts; Guice's wrapping exceptions are unwrapped so that the user reads
 * amifleet's own message. The {@link Closer} owns what the injector's providers create.
 *
 * <p>Not thread-safe: one caller configures it and calls {@link #start} once.
 */
public final class Bootstrap {
  private final Environment environment;
  private final Closer closer;
  private Clock clock = Clock.systemUTC();
  private AwsSettings aws;
  private QueueSettings queues;
  private SqsAsyncClient sqs;
  private boolean verifyHub;
  private final List<Module> modules = new ArrayList<>();

  private Bootstrap(Environment environment, Closer closer) {
    this.environment = requireNonNull(environment, "environment is null");
    this.closer = requireNonNull(closer, "closer is null");
  }

  /** A bootstrap reading {@code environment}, whose resources {@code closer} owns. */
  public static Bootstrap of(Environment environment, Closer closer) {
    return new Bootstrap(environment, closer);
  }

  public Bootstrap clock(Clock value) {
    clock = requireNonNull(value, "clock is null");
    return this;
  }

  /** Binds the AWS clients made with {@code settings} ({@link AwsModule}). */
  public Bootstrap aws(AwsSettings settings) {
    aws = requireNonNull(settings, "settings is null");
    return this;
  }

  /** Binds the queues the work uses ({@link QueueModule}). */
  public Bootstrap queues(QueueSettings settings) {
    queues = requireNonNull(settings, "settings is null");
    return this;
  }

  /**
   * Talks to {@code client} instead of SQS over HTTP ({@code run}'s {@link
   * io.amifleet.common.queue.InProcessSqs}); the caller owns and closes it.
   */
  public Bootstrap sqs(SqsAsyncClient client) {
    sqs = requireNonNull(client, "client is null");
    return this;
  }

  /**
   * Checks the hub's credentials once, before anything else ({@link HubIdentity}): every command
   * acts with them, and without this a missing login shows up once per account+region.
   */
  public Bootstrap verifyHubCredentials() {
    verifyHub = true;
    return this;
  }

  /** Adds the modules of the work (the worker's, the dispatcher's, ...). */
  public Bootstrap install(Module... more) {
    modules.addAll(List.of(more));
    return this;
  }

  public Injector start() {
    List<Module> all = new ArrayList<>();
    all.add(new CommonModule(environment, clock, closer));
    if (aws != null && sqs != null) {
      SqsAsyncClient given = sqs;
      all.add(
          Modules.override(new AwsModule(aws))
              .with(binder -> binder.bind(SqsAsyncClient.class).toInstance(given)));
    } else if (aws != null) {
      all.add(new AwsModule(aws));
    }
    if (queues != null) {
      all.add(new QueueModule(queues));
    }
    all.addAll(modules);
    Injector injector;
    try {
      injector = Guice.createInjector(Stage.PRODUCTION, all);
    } catch (CreationException e) {
      throw rootCause(e.getErrorMessages(), e);
    } catch (ProvisionException e) {
      throw rootCause(e.getErrorMessages(), e);
    }
    if (verifyHub) {
      if (aws == null) {
        throw new IllegalStateException("hub credentials are checked with the AWS clients");
      }
      injector.getInstance(HubIdentity.class).verify();
    }
    return injector;
  }

  /** The first exception a provider threw, unwrapped from Guice's. */
  private static RuntimeException rootCause(
      Collection<Message> messages, RuntimeException wrapper) {
    for (Message m : messages) {
      Throwable t = m.getCause();
      while (t instanceof ProvisionException || t instanceof CreationException) {
        t = t.getCause();
      }
      if (t instanceof RuntimeException r) {
        return r;
      }
    }
    return wrapper;
  }
}
