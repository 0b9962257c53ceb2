package io.amifleet.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.amifleet.infra.PolicyStatements.Located;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Security invariants of the templates, read from the YAML itself: what a reviewer would check by
 * hand on every change, checked on every build instead.
 */
class TemplateSecurityTest {
  private static final JsonNode HUB = Templates.load(Templates.HUB_STACK);
  private static final JsonNode TARGET = Templates.load(Templates.TARGET_ROLE);
  private static final JsonNode ORG_READER = Templates.load(Templates.ORG_READER_ROLE);
  private static final ObjectMapper MAPPER = Templates.json();

  /**
   * Mutating actions allowed on Resource "*". Empty on purpose: every mutating call amifleet makes
   * can be scoped (CreateImage to instance/image/snapshot ARNs, CreateTags to image/snapshot ARNs,
   * SQS to the queue ARNs, AssumeRole to the target role name). Only reads that AWS does not
   * authorize per resource use "*": ec2:Describe*, organizations:List*.
   */
  private static final Set<String> MUTATING_ON_ANY_RESOURCE = Set.of();

  private static final Pattern READ_ONLY = Pattern.compile("[a-z0-9-]+:(Describe|Get|List)\\w+");

  private static Stream<Located> allStatements() {
    return Stream.of(HUB, TARGET, ORG_READER).flatMap(t -> PolicyStatements.in(t).stream());
  }

  @Test
  void templatesContainPolicies() {
    // Guards the other tests against passing vacuously if the walker stops finding statements.
    assertThat(PolicyStatements.in(HUB)).hasSizeGreaterThan(15);
    assertThat(PolicyStatements.in(TARGET)).hasSizeGreaterThan(5);
    assertThat(PolicyStatements.in(ORG_READER)).hasSize(2);
  }

  @Test
  void allowStatementsNameEveryActionExactly() {
    allStatements()
        .filter(Located::allows)
        .forEach(
            s -> {
              assertThat(s.statement().has("NotAction")).as(s + " uses NotAction").isFalse();
              assertThat(s.statement().has("NotResource")).as(s + " uses NotResource").isFalse();
              assertThat(s.actions()).as(s + " actions").isNotEmpty();
              assertThat(s.actions())
                  .as(s + " has a wildcard action")
                  .noneMatch(a -> a.contains("*"));
            });
  }

  @Test
  void wildcardActionsAppearOnlyInTheInsecureTransportDenies() {
    // "sqs:*" in a Deny is the safe direction (a new SQS action is denied too); anywhere else a
    // wildcard action is a finding. A bare "*" action is never wanted.
    allStatements()
        .filter(s -> s.actions().stream().anyMatch(a -> a.contains("*")))
        .forEach(
            s -> {
              assertThat(s.effect()).as(s.toString()).isEqualTo("Deny");
              assertThat(s.actions()).as(s.toString()).doesNotContain("*");
              assertThat(deniesInsecureTransport(s)).as(s.toString()).isTrue();
            });
  }

  @Test
  void onlyReadActionsAreAllowedOnAnyResource() {
    allStatements()
        .filter(Located::allows)
        .filter(s -> s.resources().stream().anyMatch(r -> r.isTextual() && r.asText().equals("*")))
        .forEach(
            s ->
                assertThat(s.actions())
                    .as(s + " allows on Resource \"*\"")
                    .allMatch(
                        a ->
                            READ_ONLY.matcher(a).matches()
                                || MUTATING_ON_ANY_RESOURCE.contains(a)));
  }

  @Test
  void everyQueueIsEncryptedAtRest() {
    List<String> queues = resourcesOfType(HUB, "AWS::SQS::Queue");
    assertThat(queues).containsExactlyInAnyOrder("JobsQueue", "ResultsQueue", "DeadLetterQueue");
    for (String queue : queues) {
      JsonNode properties = HUB.path("Resources").path(queue).path("Properties");
      boolean sqsManaged = properties.path("SqsManagedSseEnabled").asBoolean(false);
      assertThat(sqsManaged || properties.has("KmsMasterKeyId")).as(queue + " SSE").isTrue();
    }
  }

  @Test
  void queuesAreNamedForTheQueuePrefix() {
    assertThat(queueName("JobsQueue")).isEqualTo("${QueuePrefix}-jobs");
    assertThat(queueName("ResultsQueue")).isEqualTo("${QueuePrefix}-results");
    assertThat(queueName("DeadLetterQueue")).isEqualTo("${QueuePrefix}-dlq");
  }

  @Test
  void jobsQueueRedrivesToTheDeadLetterQueue() {
    JsonNode redrive = HUB.at("/Resources/JobsQueue/Properties/RedrivePolicy");
    assertThat(redrive.at("/deadLetterTargetArn/Fn::GetAtt/0").asText())
        .isEqualTo("DeadLetterQueue");
    assertThat(redrive.at("/deadLetterTargetArn/Fn::GetAtt/1").asText()).isEqualTo("Arn");
    assertThat(redrive.at("/maxReceiveCount/Ref").asText()).isEqualTo("MaxReceiveCount");
    assertThat(HUB.at("/Resources/DeadLetterQueue/Properties/MessageRetentionPeriod").asInt())
        .as("DLQ keeps messages longer than the jobs queue: age counts from the first enqueue")
        .isGreaterThan(HUB.at("/Resources/JobsQueue/Properties/MessageRetentionPeriod").asInt());
  }

  @Test
  void everyQueueHasAPolicyThatDeniesInsecureTransport() {
    for (String queue : resourcesOfType(HUB, "AWS::SQS::Queue")) {
      List<String> policies = queuePoliciesOf(queue);
      assertThat(policies).as(queue + " policies").hasSize(1);
      assertThat(PolicyStatements.in(HUB, policies.get(0), "PolicyDocument"))
          .as(queue + " denies non-TLS requests")
          .anySatisfy(
              s -> {
                assertThat(deniesInsecureTransport(s)).isTrue();
                assertThat(s.actions()).containsExactly("sqs:*");
                assertThat(s.statement().get("Principal").asText()).isEqualTo("*");
                assertThat(s.resources()).containsExactly(getAtt(queue, "Arn"));
              });
    }
  }

  @Test
  void onlyTheDispatcherAndTheOperatorRoleMaySendJobs() {
    List<Located> denies = sendMessageDenies("JobsQueue");
    assertThat(denies).hasSize(1);
    assertThat(denies.get(0).statement().get("Principal").asText()).isEqualTo("*");
    JsonNode allowed =
        denies.get(0).statement().at("/Condition/ArnNotEquals").get("aws:PrincipalArn");
    JsonNode branches = allowed.get("Fn::If");
    assertThat(branches.get(0).asText()).isEqualTo("HasOperatorRole");
    assertThat(branches.get(1))
        .containsExactly(getAtt("DispatcherTaskRole", "Arn"), ref("OperatorRoleArn"));
    assertThat(branches.get(2)).containsExactly(getAtt("DispatcherTaskRole", "Arn"));
  }

  @Test
  void onlyTheWorkerMaySendToTheDeadLetterQueue() {
    // A dead letter becomes a job again on `amifleet dlq replay`.
    List<Located> denies = sendMessageDenies("DeadLetterQueue");
    assertThat(denies).hasSize(1);
    assertThat(denies.get(0).statement().get("Principal").asText()).isEqualTo("*");
    assertThat(denies.get(0).statement().at("/Condition/ArnNotEquals").get("aws:PrincipalArn"))
        .containsExactly(getAtt("WorkerTaskRole", "Arn"));
  }

  @Test
  void queuePoliciesDenyNothingElseSoAdministratorsKeepControl() {
    for (String policy : resourcesOfType(HUB, "AWS::SQS::QueuePolicy")) {
      for (Located s : PolicyStatements.in(HUB, policy, "PolicyDocument")) {
        assertThat(s.effect()).as(s + " grants nothing").isEqualTo("Deny");
        if (!deniesInsecureTransport(s)) {
          assertThat(s.actions()).as(s.toString()).containsExactly("sqs:SendMessage");
        }
      }
    }
  }

  @Test
  void targetRoleTrustsOnlyTheHubRolesAndRequiresTheExternalId() {
    List<Located> trust = PolicyStatements.in(TARGET, "CreatorRole", "AssumeRolePolicyDocument");
    assertThat(trust).hasSize(1);
    JsonNode statement = trust.get(0).statement();
    assertThat(trust.get(0).effect()).isEqualTo("Allow");
    assertThat(trust.get(0).actions()).containsExactly("sts:AssumeRole");
    assertThat(statement.at("/Principal/AWS/Fn::Sub").asText())
        .isEqualTo("arn:${AWS::Partition}:iam::${HubAccountId}:root");
    assertThat(statement.get("Principal").size()).as("no Service or Federated principal").isOne();
    assertThat(statement.at("/Condition/StringEquals").get("sts:ExternalId"))
        .isEqualTo(ref("ExternalId"));

    List<String> principals = new ArrayList<>();
    PolicyStatements.leaves(statement.at("/Condition/ArnEquals").get("aws:PrincipalArn"))
        .forEach(p -> principals.add(p.path("Fn::Sub").asText()));
    assertThat(principals)
        .isNotEmpty()
        .allMatch(p -> p.startsWith("arn:${AWS::Partition}:iam::${HubAccountId}:role/${Hub"))
        .contains(
            "arn:${AWS::Partition}:iam::${HubAccountId}:role/${HubWorkerRoleName}",
            "arn:${AWS::Partition}:iam::${HubAccountId}:role/${HubDispatcherRoleName}");
  }

  @Test
  void createTagsOnlyTagsImagesAndSnapshotsAtCreationOrAsManaged() {
    List<Located> createTags =
        PolicyStatements.in(TARGET).stream()
            .filter(s -> s.actions().contains("ec2:CreateTags"))
            .toList();
    // TagOnCreateImage, RetagManagedImages, and the copies' tag-at-CopyImage statement
    assertThat(createTags).hasSize(3);
    for (Located s : createTags) {
      assertThat(s.actions()).as(s.toString()).containsExactly("ec2:CreateTags");
      assertThat(s.resources())
          .as(s.toString())
          .allMatch(r -> r.path("Fn::Sub").asText().matches(".*:(image|snapshot)/\\*"));
      JsonNode condition = s.statement().at("/Condition/StringEquals");
      boolean atCreateImage =
          List.of("CreateImage", "CopyImage").contains(condition.path("ec2:CreateAction").asText());
      boolean alreadyManaged =
          "true".equals(condition.path("aws:ResourceTag/amifleet:managed").asText());
      assertThat(atCreateImage || alreadyManaged).as(s.toString()).isTrue();
    }
  }

  @Test
  void deletionsReachOnlyManagedResourcesAndSnapshotDeletionIsOptIn() {
    List<Located> deletes =
        allStatements()
            .filter(
                s -> s.actions().stream().anyMatch(a -> a.matches("ec2:(Delete|Deregister)\\w+")))
            .toList();
    assertThat(deletes)
        .extracting(Located::actions)
        .containsExactlyInAnyOrder(List.of("ec2:DeregisterImage"), List.of("ec2:DeleteSnapshot"));
    for (Located delete : deletes) {
      assertThat(delete.statement().at("/Condition/StringEquals/aws:ResourceTag~1amifleet:managed"))
          .as(delete.toString())
          .isEqualTo(MAPPER.getNodeFactory().textNode("true"));
    }
    // Images and snapshots get amifleet:managed only at creation, so deregistering managed images
    // is a safe standing grant (the worker replaces a failed image of a job); deleting snapshots
    // stays opt-in all the same.
    Located snapshots =
        deletes.stream().filter(d -> d.actions().contains("ec2:DeleteSnapshot")).findFirst().get();
    assertThat(TARGET.at("/Resources/" + snapshots.resource() + "/Condition").asText())
        .isEqualTo("RetentionEnabled");
    assertThat(TARGET.at("/Parameters/EnableRetention/Default").asText()).isEqualTo("false");
  }

  @Test
  void snapshotsAreTaggedOnlyWhileTheyAreMade() {
    // With tags on snapshots only at creation (CreateImage / CopyImage TagSpecifications), no
    // snapshot can be marked amifleet:managed later, so DeleteSnapshot on managed snapshots reaches
    // only what amifleet made.
    List<Located> tagsSnapshots =
        PolicyStatements.in(TARGET).stream()
            .filter(Located::allows)
            .filter(s -> s.actions().contains("ec2:CreateTags"))
            .filter(s -> s.resources().toString().contains(":snapshot/"))
            .toList();
    assertThat(tagsSnapshots).isNotEmpty();
    for (Located s : tagsSnapshots) {
      assertThat(s.statement().at("/Condition/StringEquals/ec2:CreateAction").isMissingNode())
          .as(s + " must be limited to tagging while creating")
          .isFalse();
    }
  }

  @Test
  void retentionGainsOnlyItsUsageReadsAndTheDeprecationOfManagedImages() {
    List<Located> retention =
        PolicyStatements.in(TARGET).stream()
            .filter(s -> s.resource().equals("RetentionPolicy"))
            .toList();
    assertThat(retention.stream().flatMap(s -> s.actions().stream()))
        .containsExactlyInAnyOrder(
            "ec2:DeleteSnapshot",
            "ec2:DescribeLaunchTemplates",
            "ec2:DescribeLaunchTemplateVersions",
            "ec2:DescribeImageAttribute",
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:DescribeLaunchConfigurations",
            "rbin:ListRules",
            "ssm:GetParametersByPath",
            "ssm:GetParameters",
            "ec2:EnableImageDeprecation");
    Located deprecate =
        retention.stream()
            .filter(s -> s.actions().contains("ec2:EnableImageDeprecation"))
            .findFirst()
            .orElseThrow();
    assertThat(deprecate.actions()).containsExactly("ec2:EnableImageDeprecation");
    assertThat(
            deprecate.statement().at("/Condition/StringEquals/aws:ResourceTag~1amifleet:managed"))
        .isEqualTo(MAPPER.getNodeFactory().textNode("true"));
    Located parameters =
        retention.stream()
            .filter(s -> s.actions().contains("ssm:GetParametersByPath"))
            .findFirst()
            .orElseThrow();
    assertThat(parameters.resources().toString()).contains("${AWS::AccountId}:parameter/*");
  }

  @Test
  void hubAssumesOnlyTheTargetRoleNameAndOptionallyOnlyInsideTheOrganization() {
    List<Located> assumes =
        PolicyStatements.in(HUB).stream()
            .filter(Located::allows)
            .filter(s -> s.actions().contains("sts:AssumeRole"))
            .filter(s -> !s.document().equals("AssumeRolePolicyDocument"))
            .filter(s -> !s.resources().contains(ref("OrgReaderRoleArn")))
            .filter(s -> !s.resources().contains(sub(VAULT_ROLE_ARN)))
            .toList();
    assertThat(assumes)
        .extracting(Located::resource)
        .containsExactlyInAnyOrder("WorkerTaskRole", "DispatcherTaskRole", "OperatorPolicy");
    for (Located s : assumes) {
      assertThat(s.resources())
          .as(s.toString())
          .containsExactly(sub("arn:${AWS::Partition}:iam::*:role/${TargetRoleName}"));
      JsonNode condition = s.statement().get("Condition").get("Fn::If");
      assertThat(condition.get(0).asText()).isEqualTo("HasOrganization");
      assertThat(condition.get(1).at("/StringEquals/aws:ResourceOrgID"))
          .isEqualTo(ref("OrganizationId"));
    }
  }

  private static final String VAULT_ROLE_ARN = "arn:${AWS::Partition}:iam::*:role/${VaultRoleName}";

  @Test
  void onlyTheWorkerMayAssumeTheVaultRole() {
    List<Located> vault =
        PolicyStatements.in(HUB).stream()
            .filter(Located::allows)
            .filter(s -> s.resources().contains(sub(VAULT_ROLE_ARN)))
            .toList();
    assertThat(vault)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.resource()).isEqualTo("WorkerTaskRole");
              assertThat(s.actions()).containsExactly("sts:AssumeRole");
              assertThat(s.resources()).containsExactly(sub(VAULT_ROLE_ARN));
            });
  }

  @Test
  void copyPermissionsAreOptInAndShareOnlyManagedImagesAndSnapshots() {
    assertThat(TARGET.at("/Parameters/EnableCopies/Default").asText()).isEqualTo("false");
    assertThat(TARGET.at("/Resources/CopyPolicy/Condition").asText()).isEqualTo("CopiesEnabled");
    List<Located> sharing =
        PolicyStatements.in(TARGET).stream()
            .filter(
                s ->
                    s.actions().contains("ec2:ModifyImageAttribute")
                        || s.actions().contains("ec2:ModifySnapshotAttribute"))
            .toList();
    assertThat(sharing).hasSize(2);
    for (Located s : sharing) {
      assertThat(s.statement().at("/Condition/StringEquals/aws:ResourceTag~1amifleet:managed"))
          .as(s.toString())
          .isEqualTo(MAPPER.getNodeFactory().textNode("true"));
    }
  }

  @Test
  void onlyTheDispatcherAndTheOperatorMayAssumeTheOrgReaderRoleAndOnlyWhenOneIsGiven() {
    List<Located> readers =
        PolicyStatements.in(HUB).stream()
            .filter(s -> s.resources().contains(ref("OrgReaderRoleArn")))
            .toList();
    assertThat(readers)
        .extracting(Located::resource)
        .containsExactlyInAnyOrder("DispatcherOrgReaderPolicy", "OperatorOrgReaderPolicy");
    readers.forEach(
        s -> {
          assertThat(s.actions()).as(s.toString()).containsExactly("sts:AssumeRole");
          assertThat(s.resources()).as(s.toString()).containsExactly(ref("OrgReaderRoleArn"));
        });
    // Each sits in a resource on HasOrgReaderRole, so an empty parameter grants nothing.
    for (Located s : readers) {
      assertThat(HUB.at("/Resources/" + s.resource() + "/Condition").asText())
          .isEqualTo("HasOrgReaderRole");
    }
    assertThat(HUB.at("/Resources/DispatcherOrgReaderPolicy/Properties/Roles/0"))
        .isEqualTo(ref("DispatcherTaskRole"));
    assertThat(HUB.at("/Parameters/OrgReaderRoleArn/Default").asText()).isEmpty();
  }

  @Test
  void orgReaderRoleTrustsOnlyTheDispatcherOrOperatorWithTheExternalIdAndOnlyLists() {
    List<Located> trust = PolicyStatements.in(ORG_READER, "ReaderRole", "AssumeRolePolicyDocument");
    assertThat(trust).hasSize(1);
    JsonNode statement = trust.get(0).statement();
    assertThat(statement.at("/Principal/AWS/Fn::Sub").asText())
        .isEqualTo("arn:${AWS::Partition}:iam::${HubAccountId}:root");
    assertThat(statement.at("/Condition/StringEquals").get("sts:ExternalId"))
        .isEqualTo(ref("ExternalId"));
    List<String> principals = new ArrayList<>();
    PolicyStatements.leaves(statement.at("/Condition/ArnEquals").get("aws:PrincipalArn"))
        .forEach(p -> principals.add(p.path("Fn::Sub").asText()));
    assertThat(principals)
        .containsOnly(
            "arn:${AWS::Partition}:iam::${HubAccountId}:role/${HubDispatcherRoleName}",
            "arn:${AWS::Partition}:iam::${HubAccountId}:role/${HubOperatorRoleName}");

    List<Located> grants =
        PolicyStatements.in(ORG_READER).stream()
            .filter(s -> !s.document().equals("AssumeRolePolicyDocument"))
            .toList();
    assertThat(grants).hasSize(1);
    assertThat(grants.get(0).actions())
        .containsExactlyInAnyOrder(
            "organizations:ListAccounts",
            "organizations:ListAccountsForParent",
            "organizations:ListOrganizationalUnitsForParent");
    assertThat(ORG_READER.at("/Parameters/ExternalId/NoEcho").asBoolean()).isTrue();
    assertThat(pathsReferencing(ORG_READER, "ExternalId"))
        .containsExactly(
            "/Resources/ReaderRole/Properties/AssumeRolePolicyDocument/Statement/0"
                + "/Condition/StringEquals/sts:ExternalId");
  }

  @Test
  void externalIdParametersAreNoEchoAndOnlyReachTheSecretAndTheTrustPolicy() {
    assertThat(HUB.at("/Parameters/ExternalId/NoEcho").asBoolean()).isTrue();
    assertThat(TARGET.at("/Parameters/ExternalId/NoEcho").asBoolean()).isTrue();
    assertThat(pathsReferencing(HUB, "ExternalId"))
        .containsExactly("/Resources/ExternalIdSecret/Properties/SecretString");
    assertThat(pathsReferencing(TARGET, "ExternalId"))
        .containsExactly(
            "/Resources/CreatorRole/Properties/AssumeRolePolicyDocument/Statement/0"
                + "/Condition/StringEquals/sts:ExternalId");
    assertThat(HUB.path("Outputs").toString()).doesNotContain("\"ExternalId\"");
  }

  @Test
  void tasksReadTheExternalIdFromTheSecret() {
    for (String taskDefinition : resourcesOfType(HUB, "AWS::ECS::TaskDefinition")) {
      JsonNode container =
          HUB.at("/Resources/" + taskDefinition + "/Properties/ContainerDefinitions/0");
      if (taskDefinition.equals("CollectorTaskDefinition")) {
        // The collector assumes no target role: it gets no ExternalId at all.
        assertThat(container.has("Secrets")).as(taskDefinition).isFalse();
        continue;
      }
      assertThat(container.get("Secrets"))
          .as(taskDefinition)
          .anySatisfy(
              secret -> {
                assertThat(secret.get("Name").asText()).isEqualTo("AMIFLEET_EXTERNAL_ID");
                assertThat(secret.get("ValueFrom")).isEqualTo(ref("ExternalIdSecret"));
              });
    }
  }

  private static boolean deniesInsecureTransport(Located s) {
    return "Deny".equals(s.effect())
        && "false".equals(s.statement().at("/Condition/Bool/aws:SecureTransport").asText());
  }

  private static List<Located> sendMessageDenies(String queue) {
    String policy = queuePoliciesOf(queue).get(0);
    return PolicyStatements.in(HUB, policy, "PolicyDocument").stream()
        .filter(s -> s.effect().equals("Deny") && s.actions().equals(List.of("sqs:SendMessage")))
        .toList();
  }

  private static List<String> queuePoliciesOf(String queue) {
    return resourcesOfType(HUB, "AWS::SQS::QueuePolicy").stream()
        .filter(
            p ->
                HUB.at("/Resources/" + p + "/Properties/Queues").findValuesAsText("Ref").stream()
                    .anyMatch(queue::equals))
        .toList();
  }

  private static String queueName(String queue) {
    return HUB.at("/Resources/" + queue + "/Properties/QueueName/Fn::Sub").asText();
  }

  static List<String> resourcesOfType(JsonNode template, String type) {
    List<String> ids = new ArrayList<>();
    for (Map.Entry<String, JsonNode> resource : template.path("Resources").properties()) {
      if (type.equals(resource.getValue().path("Type").asText())) {
        ids.add(resource.getKey());
      }
    }
    return ids;
  }

  /** JSON pointers of every {@code Ref: name} in the template. */
  private static List<String> pathsReferencing(JsonNode template, String name) {
    List<String> paths = new ArrayList<>();
    collectReferences(template, "", name, paths);
    return paths;
  }

  private static void collectReferences(JsonNode node, String path, String name, List<String> out) {
    if (node.isObject()) {
      if (name.equals(node.path("Ref").asText(null))) {
        out.add(path);
      }
      if (node.has("Fn::Sub") && node.get("Fn::Sub").asText("").contains("${" + name + "}")) {
        out.add(path);
      }
      node.properties()
          .forEach(
              f -> collectReferences(f.getValue(), path + "/" + escape(f.getKey()), name, out));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collectReferences(node.get(i), path + "/" + i, name, out);
      }
    }
  }

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  private static JsonNode ref(String name) {
    return MAPPER.createObjectNode().put("Ref", name);
  }

  private static JsonNode sub(String template) {
    return MAPPER.createObjectNode().put("Fn::Sub", template);
  }

  private static JsonNode getAtt(String resource, String attribute) {
    return MAPPER
        .createObjectNode()
        .set("Fn::GetAtt", MAPPER.createArrayNode().add(resource).add(attribute));
  }
}
