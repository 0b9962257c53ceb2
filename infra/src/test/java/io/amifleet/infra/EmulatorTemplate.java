package io.amifleet.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of a template that the emulator can deploy. moto's CloudFormation (5.2.1) skips resource
 * types it does not model (AWS::SQS::QueuePolicy, AWS::SecretsManager::Secret,
 * AWS::CloudWatch::Alarm, AWS::ApplicationAutoScaling::*, AWS::Scheduler::Schedule, ...) and then
 * fails the whole stack when a supported resource refers to a skipped one (the dashboard names the
 * alarms; the task definitions name the secret). So the deploy test deploys a copy of the real
 * template that keeps every resource whose type moto models and whose references all stay in the
 * copy, and the outputs that refer only to kept resources. Parameters, conditions and the kept
 * resources are the production template's, unchanged. Stateless; thread-safe.
 */
final class EmulatorTemplate {
  /** Resource types moto 5.2.1 deploys from a template (moto.cloudformation.parsing). */
  static final Set<String> MOTO_TYPES =
      Set.of(
          "AWS::SQS::Queue",
          "AWS::IAM::Role",
          "AWS::IAM::Policy",
          "AWS::IAM::ManagedPolicy",
          "AWS::EC2::SecurityGroup",
          "AWS::ECS::Cluster",
          "AWS::ECS::TaskDefinition",
          "AWS::ECS::Service",
          "AWS::Logs::LogGroup",
          "AWS::SNS::Topic",
          "AWS::DynamoDB::Table",
          "AWS::S3::Bucket",
          "AWS::Events::Rule",
          "AWS::CloudWatch::Dashboard");

  private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^!}][^}.]*)[^}]*}");

  /** The deployable copy, which resources it keeps and which it leaves out. */
  record Subset(JsonNode template, Set<String> kept, Set<String> leftOut) {}

  private EmulatorTemplate() {}

  static Subset of(JsonNode template) {
    JsonNode resources = template.get("Resources");
    Set<String> kept = new LinkedHashSet<>();
    resources
        .properties()
        .forEach(
            r -> {
              if (MOTO_TYPES.contains(r.getValue().path("Type").asText())) {
                kept.add(r.getKey());
              }
            });
    boolean changed = true;
    while (changed) {
      changed = false;
      for (Iterator<String> it = kept.iterator(); it.hasNext(); ) {
        String id = it.next();
        Set<String> needs = references(resources.get(id));
        needs.retainAll(fieldNames(resources));
        if (!kept.containsAll(needs)) {
          it.remove();
          changed = true;
        }
      }
    }

    ObjectNode copy = template.deepCopy();
    ObjectNode keptResources = copy.putObject("Resources");
    kept.forEach(id -> keptResources.set(id, resources.get(id).deepCopy()));
    ObjectNode outputs = copy.putObject("Outputs");
    template
        .path("Outputs")
        .properties()
        .forEach(
            o -> {
              Set<String> needs = references(o.getValue());
              needs.retainAll(fieldNames(resources));
              if (kept.containsAll(needs)) {
                outputs.set(o.getKey(), o.getValue().deepCopy());
              }
            });
    Set<String> leftOut = new TreeSet<>(fieldNames(resources));
    leftOut.removeAll(kept);
    return new Subset(copy, Set.copyOf(kept), leftOut);
  }

  /** Names used by Ref, Fn::GetAtt, Fn::Sub variables and DependsOn anywhere under {@code node}. */
  static Set<String> references(JsonNode node) {
    Set<String> names = new TreeSet<>();
    collect(node, names);
    return names;
  }

  private static void collect(JsonNode node, Set<String> names) {
    if (node.isArray()) {
      node.forEach(item -> collect(item, names));
      return;
    }
    if (!node.isObject()) {
      return;
    }
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      JsonNode value = field.getValue();
      switch (field.getKey()) {
        case "Ref" -> names.add(value.asText());
        case "Fn::GetAtt" -> names.add(value.get(0).asText());
        case "DependsOn" -> {
          if (value.isArray()) {
            value.forEach(v -> names.add(v.asText()));
          } else {
            names.add(value.asText());
          }
        }
        case "Fn::Sub" -> {
          String text = value.isArray() ? value.get(0).asText() : value.asText();
          Matcher m = SUB_VARIABLE.matcher(text);
          while (m.find()) {
            names.add(m.group(1));
          }
          if (value.isArray()) {
            collect(value.get(1), names);
          }
        }
        default -> collect(value, names);
      }
    }
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
