package io.amifleet.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs a command as its own process tree and measures it from outside: the wall time from start to
 * exit, and the CPU time (user + system) of the whole tree. The command runs under {@code bash},
 * which prints its {@code times} once the command has exited: the second line is
 * getrusage(RUSAGE_CHILDREN), the CPU of every descendant that was waited for (the aws CLI
 * processes of the shell loop, the JVM of amifleet, the Python of the peer, threads included).
 * While the command runs, a {@link Watch} is called about every {@link #TICK} with the time since
 * start and a reader of the live tree's CPU. Not thread-safe: one run per call.
 */
final class MeteredProcess {
  static final Duration TICK = Duration.ofMillis(10);

  /** bash runs "$@" after the times file; after it exits, writes its times there. */
  private static final String WRAPPER = "\"${@:2}\"; rc=$?; times > \"$1\"; exit $rc";

  /** USER_HZ, the unit of {@code /proc/<pid>/stat}'s times (100 on Linux almost everywhere). */
  private static final long CLOCK_TICKS = clockTicks();

  private static final Pattern TIME = Pattern.compile("(\\d+)m(\\d+(?:[.,]\\d+)?)s");

  private MeteredProcess() {}

  /** Sees the command while it runs. */
  interface Watch {
    /**
     * @param elapsedNanos time since the command started
     * @param treeCpuNanos reads the CPU time of the live process tree so far (processes that have
     *     exited are not in it)
     */
    void tick(long elapsedNanos, LongSupplier treeCpuNanos);
  }

  /** What a command did and cost. */
  record Ran(int exitCode, Duration wall, Duration cpu, Path stdout, Path stderr) {
    String out() {
      return read(stdout);
    }

    String err() {
      return read(stderr);
    }

    /** The last lines of its output, for an error message. */
    String tail() {
      List<String> lines = new ArrayList<>(err().lines().toList());
      lines.addAll(out().lines().toList());
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private static String read(Path file) {
      try {
        return Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(cannot read " + file + ": " + e.getMessage() + ")";
      }
    }
  }

  static Ran run(
      List<String> command,
      Map<String, String> env,
      Path stdout,
      Path stderr,
      Duration timeout,
      Watch watch) {
    Path times = stdout.resolveSibling(stdout.getFileName() + ".times");
    List<String> wrapped = new ArrayList<>(List.of("bash", "-c", WRAPPER, "metered"));
    wrapped.add(times.toString());
    wrapped.addAll(command);
    ProcessBuilder pb =
        new ProcessBuilder(wrapped).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    Procs.environment(pb, env);
    long start = System.nanoTime();
    Process p;
    try {
      Files.deleteIfExists(times);
      p = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    }
    long deadline = start + timeout.toNanos();
    try {
      while (!p.waitFor(TICK.toMillis(), TimeUnit.MILLISECONDS)) {
        long now = System.nanoTime();
        if (now > deadline) {
          stop(p);
          throw new IllegalStateException(
              String.join(" ", command) + " did not finish within " + timeout);
        }
        watch.tick(now - start, () -> treeCpuNanos(p.toHandle()));
      }
    } catch (InterruptedException e) {
      stop(p);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    Duration wall = Duration.ofNanos(System.nanoTime() - start);
    return new Ran(p.exitValue(), wall, childrenCpu(times, command), stdout, stderr);
  }

  /** Stops the tree this class started: the descendants first, then the wrapper. */
  private static void stop(Process p) {
    p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  /**
   * The CPU of the live tree so far: per process, its own user + system time and that of its
   * children it has waited for ({@code utime stime cutime cstime} of {@code /proc/<pid>/stat}, in
   * clock ticks), so that the launcher's finished {@code java -version} or the shell loop's
   * finished aws processes count. -1 when {@code /proc} cannot be read.
   */
  static long treeCpuNanos(ProcessHandle root) {
    long ticks = 0;
    for (ProcessHandle h : Stream.concat(Stream.of(root), root.descendants()).toList()) {
      String stat;
      try {
        stat = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
      } catch (IOException e) {
        if (h == root) {
          return -1;
        }
        continue; // exited meanwhile: its parent's cutime has it once waited for
      }
      // Fields after the command name in parentheses, which may hold spaces: state is field 3,
      // utime 14, stime 15, cutime 16, cstime 17 (proc(5)).
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      for (int field = 14; field <= 17; field++) {
        ticks += Long.parseLong(f[field - 3]);
      }
    }
    return ticks * (1_000_000_000L / CLOCK_TICKS);
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
      if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return Long.parseLong(out);
      }
    } catch (IOException | NumberFormatException e) {
      // the Linux default below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }

  /** The children's user + system time from bash's {@code times} (its second line). */
  static Duration childrenCpu(Path times, List<String> command) {
    List<String> lines;
    try {
      lines = Files.readAllLines(times);
    } catch (IOException e) {
      throw new IllegalStateException(
          "no CPU times for " + command.get(0) + " (" + times + "): " + e.getMessage(), e);
    }
    if (lines.size() < 2) {
      throw new IllegalStateException(
          "unexpected output of bash's times in " + times + ": " + lines);
    }
    return parseTimes(lines.get(1));
  }

  /** "0m1.234s 0m0.056s" (user, system) as their sum; bash prints the locale's decimal mark. */
  static Duration parseTimes(String line) {
    Matcher m = TIME.matcher(line);
    long nanos = 0;
    int found = 0;
    while (m.find()) {
      nanos +=
          Long.parseLong(m.group(1)) * 60_000_000_000L
              + (long) (Double.parseDouble(m.group(2).replace(',', '.')) * 1e9);
      found++;
    }
    if (found != 2) {
      throw new IllegalStateException("cannot read user and system time from '" + line + "'");
    }
    return Duration.ofNanos(nanos);
  }
}
