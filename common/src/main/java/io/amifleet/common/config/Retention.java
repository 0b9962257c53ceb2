package io.amifleet.common.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How many of an instance's images amifleet keeps. An image is past the policy when it is beyond
 * the {@code keepLast} newest, or older than {@code maxAge}; but the newest image of an instance is
 * kept unless {@code keepLast} is set to 0 explicitly, so that an instance no longer imaged does
 * not lose its last image to {@code maxAge}.
 */
public record Retention(Optional<Integer> keepLast, Optional<Duration> maxAge) {
  public Retention {
    requireNonNull(keepLast, "keepLast is null");
    requireNonNull(maxAge, "maxAge is null");
    if (keepLast.isPresent() && keepLast.get() < 0) {
      throw new IllegalArgumentException("keepLast must not be negative");
    }
    if (maxAge.isPresent() && (maxAge.get().isNegative() || maxAge.get().isZero())) {
      throw new IllegalArgumentException("maxAge must be positive");
    }
    if (keepLast.isEmpty() && maxAge.isEmpty()) {
      throw new IllegalArgumentException("retention needs keepLast, maxAge or both");
    }
  }

  /**
   * The policy {@code spec} of targets.yaml says; null when it has problems, reported at {@code
   * where} ({@code defaults.retention}).
   */
  static Retention of(TargetsFile.RetentionRule spec, String where, Problems problems) {
    Optional<Duration> maxAge = Optional.empty();
    if (spec.maxAge() != null) {
      Duration age = problems.check(where + ".maxAge", () -> Durations.parse(spec.maxAge()));
      if (age != null && age.isZero()) {
        problems.add(where + ".maxAge", "must be positive");
      } else {
        maxAge = Optional.ofNullable(age);
      }
    }
    Optional<Duration> parsed = maxAge;
    return problems.check(where, () -> new Retention(Optional.ofNullable(spec.keepLast()), parsed));
  }

  /** Field by field, {@code override} wins. */
  public Retention overriddenBy(Retention override) {
    return new Retention(override.keepLast.or(() -> keepLast), override.maxAge.or(() -> maxAge));
  }

  /**
   * Whether the image ranked {@code rank} among its instance's available images (0 = newest),
   * created at {@code created}, is past the policy at {@code now}.
   */
  public boolean expired(int rank, Instant created, Instant now) {
    int keep = keepLast.orElse(Integer.MAX_VALUE);
    if (rank == 0 && keepLast.map(k -> k > 0).orElse(true)) {
      return false;
    }
    if (rank >= keep) {
      return true;
    }
    return maxAge.isPresent() && created.isBefore(now.minus(maxAge.get()));
  }
}
