package io.amifleet.common.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How many of an instance's images amifleet keeps, and how carefully it lets the others go.
 *
 * <p>An image is past the policy when it is beyond the {@code keepLast} newest, or older than
 * {@code maxAge}; but the newest image of an instance is kept unless {@code keepLast} is set to 0
 * explicitly, so that an instance no longer imaged does not lose its last image to {@code maxAge}.
 *
 * <p>Deprecation before deletion: an image older than {@code deprecateAfter} is deprecated (EC2's
 * EnableImageDeprecation: consumers see a warning, the image still works). With {@code
 * deleteAfterDeprecation}, an image past the policy is deregistered only that long after it was
 * deprecated (EC2's own record, DescribeImages' {@code DeprecationTime}, so nothing is kept between
 * prunes); one past the policy but not yet deprecated is deprecated first. With {@code
 * deleteAfterDeprecation} and neither {@code keepLast} nor {@code maxAge}, {@code deprecateAfter}
 * is the age past which images go; with {@code deprecateAfter} alone nothing is deleted.
 *
 * <p>Whatever the policy says, an image still in use (see the README's Retention section) is kept;
 * {@code allowShared} lets a shared image go, {@code launchTemplateVersions} limits the launch
 * template versions checked, {@code parameterPaths} names the SSM parameter paths checked.
 */
public record Retention(
    Optional<Integer> keepLast,
    Optional<Duration> maxAge,
    Optional<Duration> deprecateAfter,
    Optional<Duration> deleteAfterDeprecation,
    Optional<Boolean> allowShared,
    Optional<LaunchTemplateVersions> launchTemplateVersions,
    Optional<List<String>> parameterPaths) {

  /** Which versions of a launch template can keep an image. */
  public enum LaunchTemplateVersions {
    /** Every version: any of them can be launched by name and number. */
    ALL("all"),
    /** Only {@code $Default} and {@code $Latest}, what launches that name no version use. */
    DEFAULT_AND_LATEST("defaultAndLatest");

    private final String yaml;

    LaunchTemplateVersions(String yaml) {
      this.yaml = yaml;
    }

    /** As written in targets.yaml and in prune jobs. */
    public String yaml() {
      return yaml;
    }

    public static LaunchTemplateVersions of(String value) {
      for (LaunchTemplateVersions v : values()) {
        if (v.yaml.equals(value)) {
          return v;
        }
      }
      throw new IllegalArgumentException(
          "must be 'all' or 'defaultAndLatest', not '" + value + "'");
    }
  }

  public Retention {
    requireNonNull(keepLast, "keepLast is null");
    requireNonNull(maxAge, "maxAge is null");
    requireNonNull(deprecateAfter, "deprecateAfter is null");
    requireNonNull(deleteAfterDeprecation, "deleteAfterDeprecation is null");
    requireNonNull(allowShared, "allowShared is null");
    requireNonNull(launchTemplateVersions, "launchTemplateVersions is null");
    requireNonNull(parameterPaths, "parameterPaths is null");
    if (keepLast.isPresent() && keepLast.get() < 0) {
      throw new IllegalArgumentException("keepLast must not be negative");
    }
    requirePositive(maxAge, "maxAge");
    requirePositive(deprecateAfter, "deprecateAfter");
    requirePositive(deleteAfterDeprecation, "deleteAfterDeprecation");
    if (keepLast.isEmpty() && maxAge.isEmpty() && deprecateAfter.isEmpty()) {
      throw new IllegalArgumentException(
          "retention needs keepLast, maxAge or both (or deprecateAfter)");
    }
    parameterPaths = parameterPaths.map(List::copyOf);
    for (String path : parameterPaths.orElse(List.of())) {
      // GetParametersByPath takes a hierarchy that starts with a slash
      // (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParametersByPath.html).
      if (path == null || !path.startsWith("/") || path.length() > 2048) {
        throw new IllegalArgumentException(
            "parameterPaths: '" + path + "' is not a parameter path (e.g. /amis/)");
      }
    }
  }

  /** Retention by count and age only, every other setting at its default. */
  public Retention(Optional<Integer> keepLast, Optional<Duration> maxAge) {
    this(
        keepLast,
        maxAge,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  private static void requirePositive(Optional<Duration> d, String name) {
    if (d.isPresent() && (d.get().isNegative() || d.get().isZero())) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }

  /**
   * The policy {@code spec} of targets.yaml says; null when it has problems, reported at {@code
   * where} ({@code defaults.retention}).
   */
  static Retention of(TargetsFile.RetentionRule spec, String where, Problems problems) {
    Optional<Duration> maxAge = duration(spec.maxAge(), where + ".maxAge", problems);
    Optional<Duration> deprecate =
        duration(spec.deprecateAfter(), where + ".deprecateAfter", problems);
    Optional<Duration> delete =
        duration(spec.deleteAfterDeprecation(), where + ".deleteAfterDeprecation", problems);
    Optional<LaunchTemplateVersions> versions = Optional.empty();
    if (spec.launchTemplateVersions() != null) {
      versions =
          Optional.ofNullable(
              problems.check(
                  where + ".launchTemplateVersions",
                  () -> LaunchTemplateVersions.of(spec.launchTemplateVersions())));
    }
    Optional<List<String>> paths = Optional.empty();
    if (spec.parameterPaths() != null) {
      List<String> good = new ArrayList<>();
      for (int i = 0; i < spec.parameterPaths().size(); i++) {
        String p = spec.parameterPaths().get(i);
        if (p == null || !p.startsWith("/")) {
          problems.add(
              where + ".parameterPaths[" + i + "]",
              "'" + p + "' is not a parameter path: it starts with '/' (e.g. /amis/)");
        } else {
          good.add(p);
        }
      }
      paths = Optional.of(good);
    }
    Optional<LaunchTemplateVersions> v = versions;
    Optional<List<String>> pp = paths;
    return problems.check(
        where,
        () ->
            new Retention(
                Optional.ofNullable(spec.keepLast()),
                maxAge,
                deprecate,
                delete,
                Optional.ofNullable(spec.allowShared()),
                v,
                pp));
  }

  private static Optional<Duration> duration(String value, String where, Problems problems) {
    if (value == null) {
      return Optional.empty();
    }
    Duration d = problems.check(where, () -> Durations.parse(value));
    if (d != null && d.isZero()) {
      problems.add(where, "must be positive");
      return Optional.empty();
    }
    return Optional.ofNullable(d);
  }

  /** Field by field, {@code override} wins. */
  public Retention overriddenBy(Retention override) {
    return new Retention(
        override.keepLast.or(() -> keepLast),
        override.maxAge.or(() -> maxAge),
        override.deprecateAfter.or(() -> deprecateAfter),
        override.deleteAfterDeprecation.or(() -> deleteAfterDeprecation),
        override.allowShared.or(() -> allowShared),
        override.launchTemplateVersions.or(() -> launchTemplateVersions),
        override.parameterPaths.or(() -> parameterPaths));
  }

  /**
   * Whether the image ranked {@code rank} among its instance's available images (0 = newest),
   * created at {@code created}, is past the policy at {@code now}.
   */
  public boolean expired(int rank, Instant created, Instant now) {
    Optional<Duration> age =
        maxAge.or(
            () ->
                keepLast.isEmpty() && deleteAfterDeprecation.isPresent()
                    ? deprecateAfter
                    : Optional.empty());
    if (keepLast.isEmpty() && age.isEmpty()) {
      return false; // deprecateAfter alone: deprecation only
    }
    int keep = keepLast.orElse(Integer.MAX_VALUE);
    if (rank == 0 && keepLast.map(k -> k > 0).orElse(true)) {
      return false;
    }
    if (rank >= keep) {
      return true;
    }
    return age.isPresent() && created.isBefore(now.minus(age.get()));
  }

  /**
   * Why the policy keeps or lets go the image ranked {@code rank} (as {@link #expired}): "keepLast
   * 2", "beyond keepLast 2", "older than maxAge 30d", ...
   */
  public String why(int rank, Instant created, Instant now) {
    boolean past = expired(rank, created, now);
    int keep = keepLast.orElse(Integer.MAX_VALUE);
    Optional<Duration> age = maxAge.isPresent() ? maxAge : deprecateAfter;
    String ageName = maxAge.isPresent() ? "maxAge" : "deprecateAfter";
    if (past) {
      return rank >= keep
          ? "beyond keepLast " + keep
          : "older than " + ageName + " " + age.map(Durations::format).orElse("?");
    }
    if (rank == 0 && keepLast.map(k -> k > 0).orElse(true)) {
      return "the newest image of its instance";
    }
    if (keepLast.isPresent() && age.isEmpty()) {
      return "within keepLast " + keep;
    }
    return age.isPresent() && keepLast.isEmpty()
        ? "within " + ageName + " " + Durations.format(age.get())
        : "within keepLast " + keep + " and " + ageName;
  }

  /** Whether an image created at {@code created} is old enough to be deprecated at {@code now}. */
  public boolean deprecates(Instant created, Instant now) {
    return deprecateAfter.isPresent() && created.isBefore(now.minus(deprecateAfter.get()));
  }

  /** Whether an image past the policy is deprecated before it is deregistered. */
  public boolean twoPhase() {
    return deleteAfterDeprecation.isPresent();
  }

  /** When an image deprecated at {@code deprecatedAt} may be deregistered. */
  public Instant deletableFrom(Instant deprecatedAt) {
    return deprecatedAt.plus(deleteAfterDeprecation.orElse(Duration.ZERO));
  }

  /** Shared images are kept unless the policy says {@code allowShared: true}. */
  public boolean keepsShared() {
    return !allowShared.orElse(false);
  }

  /** Every version of a launch template counts unless the policy limits it. */
  public LaunchTemplateVersions templateVersions() {
    return launchTemplateVersions.orElse(LaunchTemplateVersions.ALL);
  }

  /** The SSM parameter paths to check (none by default). */
  public List<String> ssmPaths() {
    return parameterPaths.orElse(List.of());
  }
}
