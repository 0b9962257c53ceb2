package io.amifleet.cli.command;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import sun.misc.Signal;

/**
 * Turns SIGTERM (ECS stopping a task, systemd stopping a unit) and SIGINT (Ctrl-C) into an orderly
 * stop. The first signal says what the command now waits for and that a second Ctrl-C quits at
 * once, then runs {@code onStop} on its own thread; the command then ends normally with its own
 * exit code. A second SIGINT stops the child processes registered with {@link #onQuit} (the demo's
 * emulator) and halts with 130 at once: shutdown hooks are skipped on purpose, as some (the
 * embedded queue's actor system) take seconds.
 *
 * <p>Signal handlers are per process, so the state is too: the last command to install wins, which
 * is the only command a process runs. Thread-safe.
 */
final class Signals {
  private static final List<Runnable> QUIT_CLEANUPS = new CopyOnWriteArrayList<>();

  private Signals() {}

  /**
   * Installs the handlers.
   *
   * @param notice where the first signal's message goes (the terminal, or the log of a daemon)
   * @param waitingFor what stopping will wait for, asked when the signal comes, e.g. "3 job(s) in
   *     progress get up to 30s to finish"
   * @param onStop starts the orderly stop
   */
  static void onTermination(Consumer<String> notice, Supplier<String> waitingFor, Runnable onStop) {
    AtomicInteger count = new AtomicInteger();
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(
            new Signal(name),
            signal -> {
              if (count.incrementAndGet() == 1) {
                notice.accept(
                    "SIG"
                        + signal.getName()
                        + " received: stopping: "
                        + waitingFor.get()
                        + " (press Ctrl-C again to quit now)");
                Thread t = new Thread(onStop, "amifleet-stop");
                t.setDaemon(false);
                t.start();
              } else if (signal.getName().equals("INT")) {
                quitNow();
              }
            });
      } catch (IllegalArgumentException e) {
        // The signal is not available here (or reserved by the JVM): rely on the shutdown hook.
        Runtime.getRuntime().addShutdownHook(new Thread(onStop, "amifleet-stop-hook"));
      }
    }
  }

  /**
   * Registers what must not outlive the process however it ends: run on a second Ctrl-C, and by a
   * shutdown hook on every other exit that does not return through the command's own clean-up.
   */
  static Runnable onQuit(Runnable cleanup) {
    QUIT_CLEANUPS.add(cleanup);
    Thread hook = new Thread(cleanup, "amifleet-quit-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    return () -> {
      QUIT_CLEANUPS.remove(cleanup);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down: the hook runs anyway
      }
    };
  }

  private static void quitNow() {
    for (Runnable cleanup : QUIT_CLEANUPS) {
      try {
        cleanup.run();
      } catch (RuntimeException e) {
        // quitting regardless
      }
    }
    Runtime.getRuntime().halt(130);
  }
}
