package io.amifleet.bench;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The ways to image the same estate that scenario 1 races, each run as its own process tree as a
 * user would run it: the seed's shell loop ({@code bench/peers/shell_loop.sh}), the boto3 thread
 * pool a competent user would write instead ({@code bench/peers/boto3_pool.py}), and {@code
 * amifleet run} through its launcher, with its defaults and with its CreateImage limiter opened
 * past the instances per account+region.
 */
enum Competitor {
  SHELL_LOOP("shell-loop", "shell loop (aws CLI)"),
  BOTO3_POOL("boto3-pool", "boto3 thread pool (16)"),
  AMIFLEET("amifleet", "amifleet run, defaults"),
  AMIFLEET_OPEN("amifleet-open", "amifleet run, limiter opened");

  private final String id;
  private final String label;

  Competitor(String id, String label) {
    this.id = id;
    this.label = label;
  }

  /** The name on the command line and in the JSON. */
  String id() {
    return id;
  }

  /** The name in the table. */
  String label() {
    return label;
  }

  boolean amifleet() {
    return this == AMIFLEET || this == AMIFLEET_OPEN;
  }

  /**
   * Whether it waits until its images are available or failed before it exits (the shell loop only
   * starts them), so that no run of it can end before they stop being pending.
   */
  boolean waitsForImages() {
    return this != SHELL_LOOP;
  }

  static Competitor byId(String id) {
    return Arrays.stream(values()).filter(c -> c.id.equals(id)).findFirst().orElse(null);
  }

  static String names() {
    return Arrays.stream(values()).map(Competitor::id).collect(Collectors.joining(","));
  }

  static List<Competitor> parseList(String list) {
    return BenchConfig.parseNames("--competitors", list, Competitor::byId, names());
  }
}
