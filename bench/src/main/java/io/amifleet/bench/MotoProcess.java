package io.amifleet.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The moto_server process behind the emulator, when this JVM started it (the launcher's child
 * started with {@code -p <port>}): its CPU time (user + system of all its threads, from {@code
 * /proc/<pid>/stat}) and the version of moto it runs. Empty when moto is someone else's ({@code
 * AMIFLEET_TEST_ENDPOINT}): its CPU is then not measured. Thread-safe.
 */
final class MotoProcess {
  private final ProcessHandle handle;

  private MotoProcess(ProcessHandle handle) {
    this.handle = handle;
  }

  static Optional<MotoProcess> find(URI motoEndpoint) {
    String port = Integer.toString(motoEndpoint.getPort());
    return ProcessHandle.current()
        .children()
        .filter(
            h -> {
              List<String> args = Arrays.asList(h.info().arguments().orElse(new String[0]));
              int p = args.indexOf("-p");
              return h.info().commandLine().orElse("").contains("moto_server")
                  && p >= 0
                  && p + 1 < args.size()
                  && args.get(p + 1).equals(port);
            })
        .findFirst()
        .map(MotoProcess::new);
  }

  long pid() {
    return handle.pid();
  }

  /** CPU time moto has used since it started. */
  Duration cpu() {
    return handle
        .info()
        .totalCpuDuration()
        .orElseThrow(() -> new IllegalStateException("cannot read moto's CPU time"));
  }

  /** moto's version, asked of the interpreter that runs it; "unknown" when it cannot tell. */
  String version() {
    Optional<String> interpreter = handle.info().command();
    if (interpreter.isEmpty() || !interpreter.get().contains("python")) {
      return "unknown";
    }
    try {
      Process p =
          new ProcessBuilder(interpreter.get(), "-c", "import moto; print(moto.__version__)")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "unknown";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
