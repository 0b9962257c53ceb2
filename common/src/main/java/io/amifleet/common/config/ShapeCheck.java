package io.amifleet.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks a part of the YAML tree against a record type of {@link TargetsFile} before Jackson binds
 * it, so that every problem of the file is found at once, named by where it is, instead of the
 * binding stopping at the first: a field the record does not have (with the one meant, if one is
 * close), and a value of the wrong shape (a list where a string goes, ...), which is reported and
 * removed, so that binding cannot fail. Every string is taken with {@code ${VAR}} expanded from the
 * environment (an unset variable is a problem, never an empty value; the value is a secret).
 *
 * <p>The shapes: records (a mapping of their components), {@code Boolean}, {@code String}, {@code
 * Integer} (0 or more), {@code List<String>}, lists of records, {@code Map<String, String>}, and
 * {@code Map<String, List<String>>} whose values may be one string ({@link TargetsFile.OneOrMore}).
 * Not thread-safe: one per parse.
 */
final class ShapeCheck {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  private final Environment environment;
  private final Problems problems;

  ShapeCheck(Environment environment, Problems problems) {
    this.environment = environment;
    this.problems = problems;
  }

  /**
   * Checks {@code node}, a mapping of {@code type} at {@code where}, leaving out the fields in
   * {@code checked} (its caller read them). Returns false, the problem reported, when it is not a
   * mapping at all.
   */
  boolean record(JsonNode node, Class<? extends Record> type, String where, Set<String> checked) {
    if (!node.isObject()) {
      problems.malformed(where, type.getAnnotation(TargetsFile.Shape.class).value());
      return false;
    }
    ObjectNode object = (ObjectNode) node;
    RecordComponent[] components = type.getRecordComponents();
    for (RecordComponent c : components) {
      JsonNode value = object.get(c.getName());
      if (value != null && !value.isNull() && !checked.contains(c.getName())) {
        if (!value(object, c.getName(), c, where + "." + c.getName())) {
          object.remove(c.getName());
        }
      }
    }
    unknownFields(
        object,
        where,
        Arrays.stream(components)
            .map(RecordComponent::getName)
            .collect(Collectors.toCollection(TreeSet::new)));
    return true;
  }

  /** Reports the fields of {@code node} that are not among {@code allowed}. */
  void unknownFields(ObjectNode node, String where, Set<String> allowed) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        problems.add(
            where.isEmpty() ? key : where + "." + key,
            "unknown field"
                + Suggestions.didYouMean(key, allowed)
                + "; allowed: "
                + new TreeSet<>(allowed));
      }
    }
  }

  /**
   * {@code value} of {@code c} in {@code parent}, with its strings expanded; false when it has the
   * wrong shape (reported).
   */
  private boolean value(ObjectNode parent, String key, RecordComponent c, String where) {
    JsonNode value = parent.get(key);
    Type type = c.getGenericType();
    if (type == Boolean.class) {
      return shape(value.isBoolean(), where, "must be true or false");
    }
    if (type == Integer.class) {
      return shape(
          value.isIntegralNumber() && value.canConvertToInt() && value.intValue() >= 0,
          where,
          "must be a whole number, 0 or more");
    }
    if (type == String.class) {
      if (!shape(value.isValueNode(), where, "must be a string")) {
        return false;
      }
      return expand(value.asText(), where).map(s -> parent.put(key, s)).isPresent();
    }
    if (type instanceof Class<?> k && k.isRecord()) {
      return record(value, k.asSubclass(Record.class), where, Set.of());
    }
    ParameterizedType generic = (ParameterizedType) type;
    Type[] args = generic.getActualTypeArguments();
    if (generic.getRawType() == List.class
        && args[0] instanceof Class<?> entry
        && entry.isRecord()) {
      return records(value, entry.asSubclass(Record.class), where);
    }
    if (generic.getRawType() == List.class) {
      return strings(value, where, "must be a list, e.g. [a, b]", "entries must be strings");
    }
    if (generic.getRawType() == Map.class && args[1] == String.class) {
      if (!shape(value.isObject(), where, "must be a mapping of key: value")) {
        return false;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = value.properties().iterator();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String at = where + "." + e.getKey();
        Optional<String> s =
            shape(e.getValue().isValueNode() && !e.getValue().isNull(), at, "must be a string")
                ? expand(e.getValue().asText(), at)
                : Optional.empty();
        if (s.isPresent()) {
          e.setValue(((ObjectNode) value).textNode(s.get()));
        } else {
          it.remove();
        }
      }
      return true;
    }
    if (generic.getRawType() == Map.class && c.isAnnotationPresent(TargetsFile.OneOrMore.class)) {
      if (!shape(
          value.isObject(), where, "must be a mapping of tag key to value or list of values")) {
        return false;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = value.properties().iterator();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String at = where + "." + e.getKey();
        JsonNode v = e.getValue();
        if (v.isValueNode() && !v.isNull()) {
          // One value is a list of one.
          ArrayNode one = ((ObjectNode) value).arrayNode().add(v);
          e.setValue(one);
          v = one;
        }
        if (!shape(
                v.isArray() && !v.isEmpty(), at, "must be a string or a non-empty list of strings")
            || !strings(v, at, null, "list entries must be strings")) {
          it.remove();
        }
      }
      return true;
    }
    throw new IllegalStateException("no shape for " + type + " at " + where);
  }

  /**
   * A list of mappings of {@code type} ({@code copies}), each checked at {@code where[i]}; an entry
   * that is not a mapping is reported and left out.
   */
  private boolean records(JsonNode value, Class<? extends Record> type, String where) {
    if (!shape(value.isArray(), where, "must be a list of mappings, e.g. [{region: ...}]")) {
      return false;
    }
    ArrayNode list = (ArrayNode) value;
    List<JsonNode> kept = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (record(list.get(i), type, where + "[" + i + "]", Set.of())) {
        kept.add(list.get(i));
      }
    }
    list.removeAll();
    list.addAll(kept);
    return true;
  }

  /**
   * A list of strings, its entries expanded; an entry that is not a string is reported (as {@code
   * entries}) and left out.
   */
  private boolean strings(JsonNode value, String where, String notAList, String entries) {
    if (!value.isArray()) {
      return shape(false, where, notAList);
    }
    ArrayNode list = (ArrayNode) value;
    List<JsonNode> kept = new ArrayList<>();
    for (JsonNode entry : list) {
      if (!entry.isValueNode() || entry.isNull()) {
        problems.add(where, entries);
      } else {
        expand(entry.asText(), where).ifPresent(s -> kept.add(list.textNode(s)));
      }
    }
    list.removeAll();
    list.addAll(kept);
    return true;
  }

  private boolean shape(boolean ok, String where, String problem) {
    if (!ok) {
      problems.malformed(where, problem);
    }
    return ok;
  }

  /** {@code value} with {@code ${VAR}} expanded; empty (and a problem) when a variable is unset. */
  Optional<String> expand(String value, String where) {
    Matcher m = VARIABLE.matcher(value);
    StringBuilder out = new StringBuilder();
    boolean ok = true;
    while (m.find()) {
      Optional<String> v = environment.get(m.group(1));
      if (v.isEmpty()) {
        problems.add(where, "environment variable " + m.group(1) + " is not set");
        ok = false;
        m.appendReplacement(out, "");
      } else {
        problems.secret(v.get());
        m.appendReplacement(out, Matcher.quoteReplacement(v.get()));
      }
    }
    m.appendTail(out);
    return ok ? Optional.of(out.toString()) : Optional.empty();
  }
}
