package io.amifleet.bench;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the harness measures and how big. {@link #defaults()} is the configuration; {@link
 * #smallConfiguration()} runs in a minute or two (CI runs it so the harness cannot rot).
 *
 * @param accounts accounts of the competitors' estate (scenario 1)
 * @param instances instances per account there
 * @param waiting images one worker holds pending in the footprint scenario
 * @param pending how long images stay pending at most behind the realistic layer (EC2's minutes
 *     compressed)
 * @param throttled images made in one account+region against EC2's CreateImage bucket
 * @param dispatched messages enqueued in the dispatch-rate scenario
 * @param preflightAccounts accounts checked by the preflight scenario
 * @param out where the JSON goes
 * @param small whether this is the small configuration
 * @param scenarios the numbered scenarios to run (2 comes with 1; 7, the layer's own cost, always)
 * @param competitors who races in scenario 1, in this order within a round
 * @param profiles the layer's profiles scenario 1 races under, in this order
 * @param repeat rounds of scenario 1 per profile (the shell loop runs in the first only)
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
    boolean small,
    Set<Integer> scenarios,
    List<Competitor> competitors,
    List<LayerProfile> profiles,
    int repeat) {
  static final Set<Integer> ALL_SCENARIOS = Set.of(1, 3, 4, 5, 6);

  public BenchConfig {
    requireNonNull(pending, "pending is null");
    requireNonNull(out, "out is null");
    scenarios = Set.copyOf(scenarios);
    competitors = List.copyOf(competitors);
    profiles = List.copyOf(profiles);
    if (accounts < 1 || instances < 1 || repeat < 1) {
      throw new IllegalArgumentException("--accounts, --instances and --repeat must be at least 1");
    }
    if (scenarios.contains(1) && (competitors.isEmpty() || profiles.isEmpty())) {
      throw new IllegalArgumentException(
          "scenario 1 needs at least one competitor and one profile");
    }
  }

  public static BenchConfig defaults() {
    return new BenchConfig(
        4,
        100,
        2000,
        Duration.ofSeconds(20),
        300,
        10_000,
        300,
        Path.of("bench/results"),
        false,
        ALL_SCENARIOS,
        List.of(Competitor.values()),
        List.of(LayerProfile.values()),
        1);
  }

  public static BenchConfig smallConfiguration() {
    return new BenchConfig(
        2,
        5,
        200,
        Duration.ofSeconds(4),
        70,
        1000,
        20,
        Path.of("bench/results"),
        true,
        ALL_SCENARIOS,
        List.of(Competitor.values()),
        List.of(LayerProfile.values()),
        1);
  }

  boolean runs(int scenario) {
    return scenarios.contains(scenario);
  }

  /**
   * Whether scenario 1 runs {@code c} under {@code profile}. The small configuration races each
   * competitor under one profile only, the one where its figures are checked (the boto3 peer under
   * both), so that CI stays fast: the shell loop and amifleet with defaults under the realistic
   * profile, amifleet with its limiter opened under the permissive one.
   */
  boolean races(Competitor c, LayerProfile profile) {
    if (!competitors.contains(c) || !profiles.contains(profile)) {
      return false;
    }
    if (!small || c == Competitor.BOTO3_POOL) {
      return true;
    }
    return profile
        == (c == Competitor.AMIFLEET_OPEN ? LayerProfile.PERMISSIVE : LayerProfile.REALISTIC);
  }

  /** What {@code bench/run --help} prints (the README's Performance section says more). */
  static final String USAGE =
      "usage: bench/run [--small] [--accounts A] [--instances I] [--waiting W]"
          + " [--pending-seconds S] [--throttled N] [--dispatched M] [--preflight-accounts P]"
          + " [--out DIR] [--scenarios 1,3,4,5,6] [--competitors "
          + Competitor.names()
          + "] [--profiles "
          + LayerProfile.names()
          + "] [--repeat R]";

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
    Set<Integer> scenarios = d.scenarios;
    List<Competitor> competitors = d.competitors;
    List<LayerProfile> profiles = d.profiles;
    int repeat = d.repeat;
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
        case "--scenarios" -> scenarios = scenarios(v);
        case "--competitors" -> competitors = Competitor.parseList(v);
        case "--profiles" -> profiles = LayerProfile.parseList(v);
        case "--repeat" -> repeat = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown option " + a);
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
        small,
        scenarios,
        competitors,
        profiles,
        repeat);
  }

  private static Set<Integer> scenarios(String list) {
    Set<Integer> chosen = new TreeSet<>();
    for (String s : list.split(",", -1)) {
      int n;
      try {
        n = Integer.parseInt(s.strip());
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (!ALL_SCENARIOS.contains(n)) {
        throw new IllegalArgumentException(
            "--scenarios: '"
                + s
                + "' is not a scenario; choose from 1,3,4,5,6 (2 comes with 1, 7 always runs)");
      }
      chosen.add(n);
    }
    return chosen;
  }

  /** Parses "a,b" into values of a named list, refusing unknown and repeated names. */
  static <T> List<T> parseNames(
      String option, String list, java.util.function.Function<String, T> byName, String names) {
    Set<T> chosen = new LinkedHashSet<>();
    for (String s : list.split(",", -1)) {
      T value = byName.apply(s.strip());
      if (value == null) {
        throw new IllegalArgumentException(
            option + ": '" + s + "' is unknown; choose from " + names);
      }
      if (!chosen.add(value)) {
        throw new IllegalArgumentException(option + ": '" + s + "' is given twice");
      }
    }
    return new ArrayList<>(chosen);
  }
}
