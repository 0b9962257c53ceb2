package io.amifleet.common.config;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.message.Identifiers;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which instances of an account to image, in each of its regions. Either {@code all}, or the union
 * of the listed {@code instanceIds} and the instances whose tags match {@code tags} (AND over keys;
 * several values for one key mean any of them). Only instances in one of {@code states} are imaged:
 * running and/or stopped, both by default.
 */
public record Selector(
    boolean all, List<String> instanceIds, Map<String, List<String>> tags, List<String> states) {

  public static final List<String> DEFAULT_STATES = List.of("running", "stopped");

  public Selector {
    instanceIds = List.copyOf(requireNonNull(instanceIds, "instanceIds is null"));
    Map<String, List<String>> copy = new LinkedHashMap<>();
    requireNonNull(tags, "tags is null").forEach((k, v) -> copy.put(k, List.copyOf(v)));
    tags = Collections.unmodifiableMap(copy);
    states = List.copyOf(requireNonNull(states, "states is null"));
    if (all && (!instanceIds.isEmpty() || !tags.isEmpty())) {
      throw new IllegalArgumentException("all cannot be combined with instanceIds or tags");
    }
    if (!all && instanceIds.isEmpty() && tags.isEmpty()) {
      throw new IllegalArgumentException("select needs all: true, instanceIds or tags");
    }
  }

  /**
   * The selector {@code spec} of targets.yaml says; null when it has problems, reported at {@code
   * where} ({@code accounts[0] (111111111111).select}).
   */
  static Selector of(TargetsFile.Select spec, String where, Problems problems) {
    int before = problems.count();
    List<String> ids = spec.instanceIds() == null ? List.of() : spec.instanceIds();
    for (String id : ids) {
      if (!Identifiers.INSTANCE_ID.matcher(id).matches()) {
        problems.add(
            where + ".instanceIds", "'" + id + "' is not an instance ID like i-0123456789abcdef0");
      }
    }
    List<String> states = spec.states() == null ? DEFAULT_STATES : spec.states();
    if (states.isEmpty()) {
      problems.add(where + ".states", "must list at least one of " + DEFAULT_STATES);
    }
    for (String state : states) {
      if (!DEFAULT_STATES.contains(state)) {
        problems.add(
            where + ".states", "'" + state + "' cannot be imaged; use running and/or stopped");
      }
    }
    if (problems.count() > before || problems.malformedWithin(where)) {
      return null;
    }
    return problems.check(
        where,
        () ->
            new Selector(
                Boolean.TRUE.equals(spec.all()),
                ids,
                spec.tags() == null ? Map.of() : spec.tags(),
                states));
  }

  public static Selector everything() {
    return new Selector(true, List.of(), Map.of(), DEFAULT_STATES);
  }

  public static Selector byTags(Map<String, List<String>> tags) {
    return new Selector(false, List.of(), tags, DEFAULT_STATES);
  }

  public static Selector byIds(List<String> instanceIds) {
    return new Selector(false, instanceIds, Map.of(), DEFAULT_STATES);
  }
}
