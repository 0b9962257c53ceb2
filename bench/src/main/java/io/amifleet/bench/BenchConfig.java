package io.amifleet.bench;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What the harness measures and how big. {@link #defaults()} is the configuration; {@link
 * #smallConfiguration()} runs in a minute or two (CI runs it so the harness cannot rot).
 *
 * @param accounts accounts of the shell-loop comparison
 * @param instances instances per account there
 * @param waiting images one worker holds pending in the footprint scenario
 * @param pending how long each of those stays pending
 * @param throttled images made in one account+region against EC2's CreateImage bucket
 * @param dispatched messages enqueued in the dispatch-rate scenario
 * @param preflightAccounts accounts checked by the preflight scenario
 */
public record BenchConfig(
    int accounts,
    int instances,
    int waiting,
    Duration pending,
    int throttled,
    int dispatched,
    int preflightAccounts,
    Path out,
    boolean small) {

  public static BenchConfig defaults() {
    return new BenchConfig(
        4, 100, 2000, Duration.ofSeconds(20), 300, 10_000, 300, Path.of("bench/results"), false);
  }

  public static BenchConfig smallConfiguration() {
    return new BenchConfig(
        2, 5, 200, Duration.ofSeconds(4), 70, 1000, 20, Path.of("bench/results"), true);
  }

  static BenchConfig parse(String[] args) {
    boolean small = false;
    for (String a : args) {
      small |= a.equals("--small");
    }
    BenchConfig d = small ? smallConfiguration() : defaults();
    int accounts = d.accounts;
    int instances = d.instances;
    int waiting = d.waiting;
    Duration pending = d.pending;
    int throttled = d.throttled;
    int dispatched = d.dispatched;
    int preflightAccounts = d.preflightAccounts;
    Path out = d.out;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--small")) {
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + a);
      }
      String v = args[++i];
      switch (a) {
        case "--accounts" -> accounts = Integer.parseInt(v);
        case "--instances" -> instances = Integer.parseInt(v);
        case "--waiting" -> waiting = Integer.parseInt(v);
        case "--pending-seconds" -> pending = Duration.ofSeconds(Long.parseLong(v));
        case "--throttled" -> throttled = Integer.parseInt(v);
        case "--dispatched" -> dispatched = Integer.parseInt(v);
        case "--preflight-accounts" -> preflightAccounts = Integer.parseInt(v);
        case "--out" -> out = Path.of(v);
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + a
                    + "; options: --small --accounts A --instances I --waiting W"
                    + " --pending-seconds S --throttled N --dispatched M --preflight-accounts P"
                    + " --out DIR");
      }
    }
    return new BenchConfig(
        accounts,
        instances,
        waiting,
        pending,
        throttled,
        dispatched,
        preflightAccounts,
        out,
        small);
  }
}
