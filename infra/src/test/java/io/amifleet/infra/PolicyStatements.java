package io.amifleet.infra;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every IAM policy statement in a template: role trust policies, inline and managed policies, queue
 * and topic policies, wherever a {@code PolicyDocument} or {@code AssumeRolePolicyDocument} sits.
 * Statements are returned unevaluated (intrinsics in place); values that are {@code Fn::If} are
 * expanded to both branches by {@link #leaves}. Stateless; thread-safe.
 */
final class PolicyStatements {
  /** A statement and where it was found (resource logical ID and document key). */
  record Located(String resource, String document, JsonNode statement) {
    String effect() {
      return statement.path("Effect").asText();
    }

    boolean allows() {
      return "Allow".equals(effect());
    }

    List<String> actions() {
      return leaves(statement.get("Action")).stream().map(JsonNode::asText).toList();
    }

    List<JsonNode> resources() {
      return leaves(statement.get("Resource"));
    }

    @Override
    public String toString() {
      return resource + "/" + document + " " + statement.path("Sid").asText("(no Sid)");
    }
  }

  private PolicyStatements() {}

  static List<Located> in(JsonNode template) {
    List<Located> found = new ArrayList<>();
    for (Map.Entry<String, JsonNode> resource : template.path("Resources").properties()) {
      collect(resource.getKey(), resource.getValue(), found);
    }
    return found;
  }

  /** Statements of one resource's documents, e.g. a role's trust policy. */
  static List<Located> in(JsonNode template, String resource, String document) {
    return in(template).stream()
        .filter(s -> s.resource().equals(resource) && s.document().equals(document))
        .toList();
  }

  /**
   * The values a policy element can take: a scalar, the items of a list, and for {@code Fn::If} the
   * leaves of both branches ({@code Ref: AWS::NoValue} contributes nothing). Other intrinsics
   * ({@code Fn::Sub}, {@code Fn::GetAtt}, {@code Ref}) are leaves themselves.
   */
  static List<JsonNode> leaves(JsonNode node) {
    List<JsonNode> out = new ArrayList<>();
    addLeaves(node, out);
    return out;
  }

  private static void addLeaves(JsonNode node, List<JsonNode> out) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return;
    }
    if (node.isArray()) {
      node.forEach(item -> addLeaves(item, out));
    } else if (node.isObject() && node.has("Fn::If")) {
      addLeaves(node.get("Fn::If").get(1), out);
      addLeaves(node.get("Fn::If").get(2), out);
    } else if (node.isObject() && "AWS::NoValue".equals(node.path("Ref").asText())) {
      return;
    } else {
      out.add(node);
    }
  }

  private static void collect(String resource, JsonNode node, List<Located> found) {
    if (node.isArray()) {
      node.forEach(item -> collect(resource, item, found));
      return;
    }
    if (!node.isObject()) {
      return;
    }
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      String key = field.getKey();
      if (key.equals("PolicyDocument") || key.equals("AssumeRolePolicyDocument")) {
        for (JsonNode statement : leaves(field.getValue().get("Statement"))) {
          found.add(new Located(resource, documentName(node, key), statement));
        }
      } else {
        collect(resource, field.getValue(), found);
      }
    }
  }

  /** "AssumeRolePolicyDocument", or the inline policy's name, or "PolicyDocument". */
  private static String documentName(JsonNode owner, String key) {
    if (key.equals("PolicyDocument") && owner.has("PolicyName")) {
      return owner.get("PolicyName").asText();
    }
    return key;
  }
}
