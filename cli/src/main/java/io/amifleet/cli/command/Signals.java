package io.amifleet.cli.command;

import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Turns SIGTERM (ECS stopping a task, systemd stopping a unit) and SIGINT (Ctrl-C) into an orderly
 * stop: the first signal runs {@code onStop} on its own thread and the command then exits normally
 * (code 0 for a worker); a second SIGINT exits at once (code 130).
 */
final class Signals {
  private static final Logger log = LoggerFactory.getLogger(Signals.class);

  private Signals() {}

  static void onTermination(Runnable onStop) {
    AtomicInteger count = new AtomicInteger();
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(
            new Signal(name),
            signal -> {
              if (count.incrementAndGet() == 1) {
                log.info(
                    "SIG{} received: stopping (send SIGINT again to exit at once)",
                    signal.getName());
                Thread t = new Thread(onStop, "amifleet-stop");
                t.setDaemon(false);
                t.start();
              } else if (signal.getName().equals("INT")) {
                Runtime.getRuntime().halt(130);
              }
            });
      } catch (IllegalArgumentException e) {
        // The signal is not available here (or reserved by the JVM): rely on the shutdown hook.
        Runtime.getRuntime().addShutdownHook(new Thread(onStop, "amifleet-stop-hook"));
      }
    }
  }
}
