package io.amifleet.common.config;

import io.amifleet.common.secret.Secrets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The problems found in one targets file, all reported at once ({@link ConfigException}), each as
 * {@code file: where: what}. Values taken from the environment and ExternalIds are {@link #secret}
 * and masked in every problem ({@link Secrets}), as a problem may quote the value it rejects; a
 * problem found once per account in the defaults is reported once. Not thread-safe: one per parse.
 */
final class Problems {
  private record Problem(String where, String message) {}

  private final String source;
  private final List<Problem> problems = new ArrayList<>();
  private final Set<String> secrets = new HashSet<>();
  private final Set<String> malformed = new HashSet<>();

  Problems(String source) {
    this.source = source;
  }

  void add(String where, String message) {
    problems.add(new Problem(where, message));
  }

  /**
   * {@code where} held a value of the wrong shape, already reported: nothing more is said of it.
   */
  void malformed(String where, String message) {
    add(where, message);
    malformed.add(where);
  }

  boolean wasMalformed(String where) {
    return malformed.contains(where);
  }

  /** Whether something at or under {@code where} was of the wrong shape (and so left out). */
  boolean malformedWithin(String where) {
    return malformed.stream().anyMatch(m -> m.equals(where) || m.startsWith(where + "."));
  }

  /** A value never to be shown: masked in every problem. */
  void secret(String value) {
    if (value != null && !value.isEmpty()) {
      secrets.add(value);
    }
  }

  int count() {
    return problems.size();
  }

  /**
   * Makes what {@code build} makes (a record that checks itself in its constructor); what it
   * refuses is a problem at {@code where}, and the result {@code null}.
   */
  <T> T check(String where, Supplier<T> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      add(where, e.getMessage());
      return null;
    }
  }

  /** Throws the problems, if any, as one configuration error. */
  void throwIfAny() {
    if (!problems.isEmpty()) {
      throw new ConfigException(rendered());
    }
  }

  /** The problems as reported: secrets masked in what is said, each once. */
  List<String> rendered() {
    return problems.stream()
        .map(p -> source + ": " + p.where() + ": " + Secrets.redact(p.message(), secrets))
        .distinct()
        .toList();
  }
}
