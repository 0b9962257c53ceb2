package io.amifleet.bench;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What the harness measures and how big. {@link #defaults()} is the configuration; {@link
 * #small()} runs in seconds (CI runs it so the harness cannot rot).
 *
 * @param accounts accounts of the shell-loop comparison
 * @param instances instances per account there
 * @param waiting images one worker holds pending in the footprint scenario
 * @param pending how long each of those stays pending
 * @param throttled images made in one account+region against EC2's CreateImage bucket
 * @param dispatched messages enqueued in the dispatch-rate scenario
 */
public record BenchConfig(
    int accounts,
    int instances,
    int waiting,
    Duration pending,
    int throttled,
    int dispatched,
    Path out,
    boolean small) {

  public static BenchConfig defaults() {
    return new BenchConfig(
        4, 100, 2000, Duration.ofSeconds(20), 300, 10_000, Path.of("bench/results"), false);
  }

  public static BenchConfig smallConfiguration() {
    return new BenchConfig(
        2, 5, 200, Duration.ofSeconds(4), 70, 1000, Path.of("bench/results"), true);
  }

  static BenchConfig parse(String[] args) {
    BenchConfig c = defaults();
    for (String a : args) {
      if (a.equals("--small")) {
        c = smallConfiguration();
      }
    }
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--small")) {
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + a);
      }
      String v = args[++i];
      c =
          switch (a) {
            case "--accounts" ->
                new BenchConfig(
                    Integer.parseInt(v),
                    c.instances,
                    c.waiting,
                    c.pending,
                    c.throttled,
                    c.dispatched,
                    c.out,
                    c.small);
            case "--instances" ->
                new BenchConfig(
                    c.accounts,
                    Integer.parseInt(v),
                    c.waiting,
                    c.pending,
                    c.throttled,
                    c.dispatched,
                    c.out,
                    c.small);
            case "--waiting" ->
                new BenchConfig(
                    c.accounts,
                    c.instances,
                    Integer.parseInt(v),
                    c.pending,
                    c.throttled,
                    c.dispatched,
                    c.out,
                    c.small);
            case "--pending-seconds" ->
                new BenchConfig(
                    c.accounts,
                    c.instances,
                    c.waiting,
                    Duration.ofSeconds(Long.parseLong(v)),
                    c.throttled,
                    c.dispatched,
                    c.out,
                    c.small);
            case "--throttled" ->
                new BenchConfig(
                    c.accounts,
                    c.instances,
                    c.waiting,
                    c.pending,
                    Integer.parseInt(v),
                    c.dispatched,
                    c.out,
                    c.small);
            case "--dispatched" ->
                new BenchConfig(
                    c.accounts,
                    c.instances,
                    c.waiting,
                    c.pending,
                    c.throttled,
                    Integer.parseInt(v),
                    c.out,
                    c.small);
            case "--out" ->
                new BenchConfig(
                    c.accounts,
                    c.instances,
                    c.waiting,
                    c.pending,
                    c.throttled,
                    c.dispatched,
                    Path.of(v),
                    c.small);
            default ->
                throw new IllegalArgumentException(
                    "unknown option "
                        + a
                        + "; options: --small --accounts A --instances I --waiting W"
                        + " --pending-seconds S --throttled N --dispatched M --out DIR");
          };
    }
    return c;
  }
}
