package io.amifleet.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command, timing it from start to exit, output to a log file. */
final class Procs {
  private Procs() {}

  /** What a command did. */
  record Ran(int exitCode, Duration wall, String output) {}

  static Ran run(List<String> command, Map<String, String> env, Path log, Duration timeout) {
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    environment(pb, env);
    long start = System.nanoTime();
    try {
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            String.join(" ", command) + " did not finish within " + timeout);
      }
      Duration wall = Duration.ofNanos(System.nanoTime() - start);
      return new Ran(p.exitValue(), wall, Files.readString(log, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Applies {@code env}; an empty value removes the variable (a stray AWS_PROFILE must not reach
   * the child). Every child gets {@code AMIFLEET_BUILD=never}: bench/run builds before it starts,
   * and a source edited during the benchmark makes the launcher refuse to run (exit 2, which fails
   * the benchmark) instead of building inside a timed command.
   */
  static void environment(ProcessBuilder pb, Map<String, String> env) {
    pb.environment().put("AMIFLEET_BUILD", "never");
    env.forEach(
        (k, v) -> {
          if (v.isEmpty()) {
            pb.environment().remove(k);
          } else {
            pb.environment().put(k, v);
          }
        });
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** AWS settings for a child process talking to the emulator. */
  static Map<String, String> awsEnv(String region) {
    return Map.of(
        "AWS_ACCESS_KEY_ID", "test",
        "AWS_SECRET_ACCESS_KEY", "test",
        "AWS_REGION", region,
        "AWS_DEFAULT_REGION", region,
        "AWS_SESSION_TOKEN", "",
        "AWS_PROFILE", "");
  }
}
