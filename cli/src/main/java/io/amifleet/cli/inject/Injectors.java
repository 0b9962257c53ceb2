package io.amifleet.cli.inject;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import com.google.inject.spi.Message;
import io.amifleet.common.aws.AwsSettings;
import io.amifleet.common.aws.HubIdentity;
import io.amifleet.common.config.Environment;
import io.amifleet.common.inject.AwsModule;
import io.amifleet.common.inject.CommonModule;
import io.amifleet.common.inject.QueueModule;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.queue.QueueSettings;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Builds a command's injector (production stage: singletons are made up front, so a missing region
 * or a bad setting fails before any work starts), checks the hub's credentials once ({@link
 * HubIdentity}: every command acts with them, and without this a missing login shows up once per
 * account+region), and unwraps Guice's exceptions so the user sees amifleet's own message.
 */
public final class Injectors {
  private Injectors() {}

  public static Injector create(
      Environment environment,
      Closer closer,
      AwsSettings aws,
      QueueSettings queues,
      Module... more) {
    List<Module> modules = new ArrayList<>();
    modules.add(new CommonModule(environment, Clock.systemUTC(), closer));
    modules.add(new AwsModule(aws));
    modules.add(new QueueModule(queues));
    modules.addAll(List.of(more));
    Injector injector;
    try {
      injector = Guice.createInjector(Stage.PRODUCTION, modules);
    } catch (CreationException e) {
      throw rootCause(e.getErrorMessages(), e);
    } catch (ProvisionException e) {
      throw rootCause(e.getErrorMessages(), e);
    }
    injector.getInstance(HubIdentity.class).verify();
    return injector;
  }

  private static RuntimeException rootCause(
      Collection<Message> messages, RuntimeException wrapper) {
    for (Message m : messages) {
      Throwable t = m.getCause();
      while (t != null && (t instanceof ProvisionException || t instanceof CreationException)) {
        t = t.getCause();
      }
      if (t instanceof RuntimeException r) {
        return r;
      }
    }
    return wrapper;
  }
}
