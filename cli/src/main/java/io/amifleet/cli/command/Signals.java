package io.amifleet.cli.command;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

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
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported, exported to all) is the only way Java 17
 * offers to handle SIGTERM and SIGINT rather than merely run shutdown hooks. It is called
 * reflectively: javac's warning about internal APIs is mandatory (no {@code @SuppressWarnings}
 * silences it), and main code builds with {@code -Werror}.
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
        handle(
            name,
            signal -> {
              if (count.incrementAndGet() == 1) {
                notice.accept(
                    "SIG"
                        + signal
                        + " received: stopping: "
                        + waitingFor.get()
                        + " (press Ctrl-C again to quit now)");
                Thread t = new Thread(onStop, "amifleet-stop");
                t.setDaemon(false);
                t.start();
              } else if (signal.equals("INT")) {
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
   * {@code sun.misc.Signal.handle(new Signal(name), handler)}, where {@code handler} gets the
   * signal's name; throws IllegalArgumentException when the signal cannot be handled here.
   */
  private static void handle(String name, Consumer<String> handler) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Method signalName = signal.getMethod("getName");
      Object proxy =
          Proxy.newProxyInstance(
              handlerType.getClassLoader(),
              new Class<?>[] {handlerType},
              (self, method, args) -> {
                if (method.getDeclaringClass() == Object.class) {
                  return switch (method.getName()) {
                    case "equals" -> self == args[0];
                    case "hashCode" -> System.identityHashCode(self);
                    default -> "amifleet signal handler";
                  };
                }
                handler.accept((String) signalName.invoke(args[0]));
                return null;
              });
      signal
          .getMethod("handle", signal, handlerType)
          .invoke(null, signal.getConstructor(String.class).newInstance(name), proxy);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IllegalArgumentException refused) {
        throw refused;
      }
      throw new IllegalArgumentException("cannot handle SIG" + name, e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("no sun.misc.Signal in this JVM", e);
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
