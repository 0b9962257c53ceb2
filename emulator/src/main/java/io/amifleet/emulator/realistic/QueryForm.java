package io.amifleet.emulator.realistic;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.QueryStringEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The form-encoded body of an AWS Query-protocol request (EC2, STS): {@code
 * Action=DescribeImages&ImageId.1=ami-1&Filter.1.Name=state&Filter.1.Value.1=available}, with the
 * list shapes EC2 uses (numbered members) read out. Not thread-safe; one per request.
 */
final class QueryForm {
  private static final Pattern ID_LIST = Pattern.compile("([A-Za-z]*Id)\\.(\\d+)");
  private static final Pattern FILTER_VALUE = Pattern.compile("Filter\\.(\\d+)\\.Value\\.\\d+");

  private final Map<String, List<String>> params;

  private QueryForm(Map<String, List<String>> params) {
    this.params = params;
  }

  static QueryForm parse(String body) {
    // No cap on the number of parameters (Netty's default is 1,024): a call with more IDs than EC2
    // allows must be counted whole, and a rewritten call must keep every parameter.
    return new QueryForm(
        new LinkedHashMap<>(
            new QueryStringDecoder(body, StandardCharsets.UTF_8, false, Integer.MAX_VALUE)
                .parameters()));
  }

  /** A new request body: {@code Action=action&Version=version}, members added in order. */
  static QueryForm of(String action, String version) {
    QueryForm f = new QueryForm(new LinkedHashMap<>());
    f.params.put("Action", List.of(action));
    f.params.put("Version", List.of(version));
    return f;
  }

  QueryForm addList(String prefix, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      params.put(prefix + "." + (i + 1), List.of(values.get(i)));
    }
    return this;
  }

  QueryForm add(String name, String value) {
    params.put(name, List.of(value));
    return this;
  }

  QueryForm addTags(Map<String, String> tags) {
    int i = 1;
    for (Map.Entry<String, String> t : tags.entrySet()) {
      params.put("Tag." + i + ".Key", List.of(t.getKey()));
      params.put("Tag." + i + ".Value", List.of(t.getValue()));
      i++;
    }
    return this;
  }

  String get(String name) {
    List<String> v = params.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  String action() {
    String a = get("Action");
    return a == null ? "?" : a;
  }

  /** The members {@code prefix.1}, {@code prefix.2}, ... in order. */
  List<String> list(String prefix) {
    Map<Integer, String> byIndex = new TreeMap<>();
    String start = prefix + ".";
    params.forEach(
        (k, v) -> {
          if (k.startsWith(start) && k.indexOf('.', start.length()) < 0 && !v.isEmpty()) {
            try {
              byIndex.put(Integer.parseInt(k.substring(start.length())), v.get(0));
            } catch (NumberFormatException e) {
              // not a list member
            }
          }
        });
    return new ArrayList<>(byIndex.values());
  }

  /** The largest ID list of the request ({@code ImageId.N}, {@code InstanceId.N}, ...). */
  Map.Entry<String, Integer> largestIdList() {
    Map<String, Integer> counts = new HashMap<>();
    for (String k : params.keySet()) {
      Matcher m = ID_LIST.matcher(k);
      if (m.matches()) {
        counts.merge(m.group(1), 1, Integer::sum);
      }
    }
    return counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElse(Map.entry("", 0));
  }

  /** The filters, name to values, in order. */
  Map<String, List<String>> filters() {
    Map<Integer, String> names = new TreeMap<>();
    Map<Integer, List<String>> values = new HashMap<>();
    params.forEach(
        (k, v) -> {
          if (k.startsWith("Filter.") && k.endsWith(".Name") && !v.isEmpty()) {
            names.put(index(k, "Filter."), v.get(0));
          }
          Matcher m = FILTER_VALUE.matcher(k);
          if (m.matches() && !v.isEmpty()) {
            values
                .computeIfAbsent(Integer.parseInt(m.group(1)), x -> new ArrayList<>())
                .add(v.get(0));
          }
        });
    Map<String, List<String>> out = new LinkedHashMap<>();
    names.forEach((i, name) -> out.put(name, values.getOrDefault(i, List.of())));
    return out;
  }

  /** The tag keys and values of the {@code Tag.N.Key}/{@code Tag.N.Value} members under prefix. */
  Map<String, String> tags(String prefix) {
    Map<Integer, String> keys = new TreeMap<>();
    Map<Integer, String> values = new HashMap<>();
    String start = prefix + "Tag.";
    params.forEach(
        (k, v) -> {
          if (k.startsWith(start) && !v.isEmpty()) {
            String rest = k.substring(start.length());
            int dot = rest.indexOf('.');
            if (dot > 0) {
              try {
                int i = Integer.parseInt(rest.substring(0, dot));
                if (rest.endsWith(".Key")) {
                  keys.put(i, v.get(0));
                } else if (rest.endsWith(".Value")) {
                  values.put(i, v.get(0));
                }
              } catch (NumberFormatException e) {
                // not a tag member
              }
            }
          }
        });
    Map<String, String> out = new LinkedHashMap<>();
    keys.forEach((i, key) -> out.put(key, values.getOrDefault(i, "")));
    return out;
  }

  /** The TagSpecification.N indexes with their resource type. */
  Map<Integer, String> tagSpecifications() {
    Map<Integer, String> out = new TreeMap<>();
    params.forEach(
        (k, v) -> {
          if (k.startsWith("TagSpecification.") && k.endsWith(".ResourceType") && !v.isEmpty()) {
            out.put(index(k, "TagSpecification."), v.get(0));
          }
        });
    return out;
  }

  /** A copy without the parameters {@code drop} matches. */
  QueryForm without(Predicate<String> drop) {
    Map<String, List<String>> kept = new LinkedHashMap<>();
    params.forEach(
        (k, v) -> {
          if (!drop.test(k)) {
            kept.put(k, v);
          }
        });
    return new QueryForm(kept);
  }

  /** A copy without filter number {@code index} (moto reads filters in any numbering). */
  QueryForm withoutFilter(String name) {
    Map<Integer, String> names = new TreeMap<>();
    params.forEach(
        (k, v) -> {
          if (k.startsWith("Filter.") && k.endsWith(".Name") && !v.isEmpty()) {
            names.put(index(k, "Filter."), v.get(0));
          }
        });
    List<String> drop = new ArrayList<>();
    names.forEach(
        (i, n) -> {
          if (n.equals(name)) {
            drop.add("Filter." + i + ".");
          }
        });
    return without(k -> drop.stream().anyMatch(k::startsWith));
  }

  String encode() {
    QueryStringEncoder e = new QueryStringEncoder("", StandardCharsets.UTF_8);
    params.forEach((k, vs) -> vs.forEach(v -> e.addParam(k, v)));
    String s = e.toString();
    return s.startsWith("?") ? s.substring(1) : s;
  }

  private static int index(String key, String prefix) {
    int end = key.indexOf('.', prefix.length());
    try {
      return Integer.parseInt(key.substring(prefix.length(), end < 0 ? key.length() : end));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
