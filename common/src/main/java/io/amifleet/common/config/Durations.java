package io.amifleet.common.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them, in flags and in targets.yaml: {@code 500ms}, {@code 30s},
 * {@code 5m}, {@code 4h}, {@code 30d}, {@code 1h30m}, or ISO-8601 ({@code PT4H}). Never negative.
 * And the one way amifleet writes a duration, in progress lines, tables, summaries and logs alike:
 * {@link #format}.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

  private Durations() {}

  /** Parses {@code value}; throws {@link IllegalArgumentException} saying what is wrong. */
  public static Duration parse(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (v.startsWith("p")) {
      Duration d;
      try {
        d = Duration.parse(value.trim().toUpperCase(Locale.ROOT));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("'" + value + "' is not a duration");
      }
      if (d.isNegative()) {
        throw new IllegalArgumentException("'" + value + "' is negative");
      }
      return d;
    }
    Matcher m = PART.matcher(v);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        break;
      }
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
              });
      end = m.end();
    }
    if (end == 0 || end != v.length()) {
      throw new IllegalArgumentException(
          "'" + value + "' is not a duration (examples: 500ms, 30s, 5m, 4h, 30d, 1h30m)");
    }
    return total;
  }

  /**
   * {@code d} as a flag's value is written, so that {@link #parse} reads it back exactly: {@code
   * 15s}, {@code 5m}, {@code 4h}, {@code 1h30m}, {@code 500ms}. For option defaults in help texts.
   */
  public static String flag(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long[] parts = {d.toHours(), d.toMinutesPart(), d.toSecondsPart(), d.toMillisPart()};
    String[] units = {"h", "m", "s", "ms"};
    for (int i = 0; i < parts.length; i++) {
      if (parts[i] > 0) {
        out.append(parts[i]).append(units[i]);
      }
    }
    return out.toString();
  }

  /**
   * {@code 0.4s}, {@code 7.1s}, {@code 14s}, {@code 2m14s}, {@code 1h02m}, {@code 3d04h}: tenths
   * below ten seconds, then the two largest units.
   */
  public static String format(Duration d) {
    long ms = Math.max(0, d.toMillis());
    if (ms < 10_000) {
      return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    long s = ms / 1000;
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    if (s < 86_400) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
    return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, (s % 86_400) / 3600);
  }
}
