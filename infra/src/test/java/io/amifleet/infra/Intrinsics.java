package io.amifleet.infra;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates the CloudFormation intrinsics the templates use ({@code Ref}, {@code Fn::Sub}, {@code
 * Fn::GetAtt}, {@code Fn::If}, {@code AWS::NoValue}) against fixed values, the way CloudFormation
 * would, so a test can compare a rendered policy with a hand-written JSON document. A name without
 * a value is an error, never left in place. Immutable; thread-safe.
 */
final class Intrinsics {
  private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{(!?)([^}]+)}");

  private final Function<String, String> values;
  private final Map<String, Boolean> conditions;

  /**
   * @param values value of a {@code Ref} name (parameter, pseudo parameter, resource) or of a
   *     {@code Resource.Attribute}; {@code null} when unknown
   * @param conditions value of each condition name used by {@code Fn::If}
   */
  Intrinsics(Function<String, String> values, Map<String, Boolean> conditions) {
    this.values = requireNonNull(values, "values is null");
    this.conditions = Map.copyOf(conditions);
  }

  /** The evaluated copy of {@code node}; {@code null} when it is {@code Ref: AWS::NoValue}. */
  JsonNode render(JsonNode node) {
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      for (JsonNode item : node) {
        JsonNode rendered = render(item);
        if (rendered != null) {
          out.add(rendered);
        }
      }
      return out;
    }
    if (!node.isObject()) {
      return node;
    }
    if (node.size() == 1) {
      String function = node.fieldNames().next();
      JsonNode argument = node.get(function);
      switch (function) {
        case "Ref":
          return "AWS::NoValue".equals(argument.asText())
              ? null
              : TextNode.valueOf(value(argument.asText()));
        case "Fn::GetAtt":
          return TextNode.valueOf(value(argument.get(0).asText() + "." + argument.get(1).asText()));
        case "Fn::Sub":
          return TextNode.valueOf(substitute(argument.asText()));
        case "Fn::If":
          return render(argument.get(condition(argument.get(0).asText()) ? 1 : 2));
        default:
          if (function.startsWith("Fn::")) {
            throw new IllegalArgumentException(function + " is not supported by this evaluator");
          }
      }
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      JsonNode rendered = render(field.getValue());
      if (rendered != null) {
        out.set(field.getKey(), rendered);
      }
    }
    return out;
  }

  String substitute(String template) {
    Matcher m = SUB_VARIABLE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = m.group(1).isEmpty() ? value(m.group(2)) : "${" + m.group(2) + "}";
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private String value(String name) {
    String value = values.apply(name);
    if (value == null) {
      throw new IllegalArgumentException("no value for " + name);
    }
    return value;
  }

  private boolean condition(String name) {
    Boolean value = conditions.get(name);
    if (value == null) {
      throw new IllegalArgumentException("no value for condition " + name);
    }
    return value;
  }
}
