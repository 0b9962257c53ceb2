package io.amifleet.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The JSON policies in {@code infra/iam/} (for users who do not deploy the templates) say exactly
 * what the templates grant: each is the template's document rendered with the default parameters,
 * placeholders in capitals for the values every user sets (account IDs, region, bucket, external
 * ID) and the optional features off (no operator role, no organization condition). The target role
 * policies inlined in docs/deploying.md are these files too.
 */
class IamDocumentsTest {
  private static final JsonNode TARGET = Templates.load(Templates.TARGET_ROLE);
  private static final JsonNode HUB = Templates.load(Templates.HUB_STACK);
  private static final JsonNode VAULT = Templates.load(Templates.VAULT_ROLE);

  private static final Intrinsics IN_VAULT_ACCOUNT =
      new Intrinsics(
          Map.of(
                  "AWS::Partition", "aws",
                  "AWS::AccountId", "VAULT_ACCOUNT_ID",
                  "HubAccountId", "HUB_ACCOUNT_ID",
                  "ExternalId", "EXTERNAL_ID",
                  "HubWorkerRoleName", "AmiFleetWorker")
              ::get,
          Map.of());

  private static final Intrinsics IN_TARGET_ACCOUNT =
      new Intrinsics(
          Map.of(
                  "AWS::Partition", "aws",
                  "AWS::AccountId", "TARGET_ACCOUNT_ID",
                  "HubAccountId", "HUB_ACCOUNT_ID",
                  "ExternalId", "EXTERNAL_ID",
                  "HubWorkerRoleName", "AmiFleetWorker",
                  "HubDispatcherRoleName", "AmiFleetDispatcher",
                  "PreHookDocument", "AWS-RunShellScript",
                  "PostHookDocument", "AWS-RunShellScript")
              ::get,
          Map.of("HasOperatorRole", false, "HookTagRequired", true));

  private static final Intrinsics IN_HUB_ACCOUNT =
      new Intrinsics(
          Map.ofEntries(
                  Map.entry("AWS::Partition", "aws"),
                  Map.entry("AWS::AccountId", "HUB_ACCOUNT_ID"),
                  Map.entry("AWS::Region", "HUB_REGION"),
                  Map.entry("QueuePrefix", "amifleet"),
                  Map.entry("TargetRoleName", "AmiFleetCreator"),
                  Map.entry("VaultRoleName", "AmiFleetVault"),
                  Map.entry("TargetsBucket", "TARGETS_BUCKET"),
                  Map.entry("TargetsKey", "targets.yaml"),
                  Map.entry("JobsQueue.Arn", "arn:aws:sqs:HUB_REGION:HUB_ACCOUNT_ID:amifleet-jobs"),
                  Map.entry(
                      "ResultsQueue.Arn", "arn:aws:sqs:HUB_REGION:HUB_ACCOUNT_ID:amifleet-results"),
                  Map.entry(
                      "DeadLetterQueue.Arn", "arn:aws:sqs:HUB_REGION:HUB_ACCOUNT_ID:amifleet-dlq"),
                  Map.entry(
                      "LedgerTable.Arn",
                      "arn:aws:dynamodb:HUB_REGION:HUB_ACCOUNT_ID:table/amifleet-runs"),
                  Map.entry("ReportBucket.Arn", "arn:aws:s3:::REPORT_BUCKET"),
                  Map.entry("RunsTopic", "arn:aws:sns:HUB_REGION:HUB_ACCOUNT_ID:RUNS_TOPIC"))
              ::get,
          Map.of("HasOrganization", false, "HasOrgReaderRole", false));

  @Test
  void targetRoleDocumentsMatchTheTemplate() {
    JsonNode role = TARGET.at("/Resources/CreatorRole/Properties");
    assertMatches(
        "target-role-trust-policy.json",
        IN_TARGET_ACCOUNT.render(role.get("AssumeRolePolicyDocument")));
    assertMatches(
        "target-role-permissions-policy.json",
        IN_TARGET_ACCOUNT.render(role.at("/Policies/0/PolicyDocument")));
    assertMatches(
        "target-role-retention-policy.json",
        IN_TARGET_ACCOUNT.render(
            TARGET.at("/Resources/RetentionPolicy/Properties/PolicyDocument")));
    assertMatches(
        "target-role-hooks-policy.json",
        IN_TARGET_ACCOUNT.render(TARGET.at("/Resources/HooksPolicy/Properties/PolicyDocument")));
  }

  @Test
  void copyPolicyDocumentMatchesTheTemplate() {
    assertMatches(
        "target-role-copy-policy.json",
        IN_TARGET_ACCOUNT.render(TARGET.at("/Resources/CopyPolicy/Properties/PolicyDocument")));
  }

  @Test
  void vaultRoleDocumentsMatchTheTemplate() {
    JsonNode role = VAULT.at("/Resources/VaultRole/Properties");
    assertMatches(
        "vault-role-trust-policy.json",
        IN_VAULT_ACCOUNT.render(role.get("AssumeRolePolicyDocument")));
    assertMatches(
        "vault-role-permissions-policy.json",
        IN_VAULT_ACCOUNT.render(role.at("/Policies/0/PolicyDocument")));
  }

  @Test
  void hubDocumentsMatchTheTemplate() {
    JsonNode resources = HUB.get("Resources");
    assertMatches(
        "hub-worker-policy.json",
        IN_HUB_ACCOUNT.render(
            resources.at("/WorkerTaskRole/Properties/Policies/0/PolicyDocument")));
    assertMatches(
        "hub-dispatcher-policy.json",
        IN_HUB_ACCOUNT.render(
            resources.at("/DispatcherTaskRole/Properties/Policies/0/PolicyDocument")));
    assertMatches(
        "hub-collector-policy.json",
        IN_HUB_ACCOUNT.render(
            resources.at("/CollectorTaskRole/Properties/Policies/0/PolicyDocument")));
    assertMatches(
        "hub-ecs-tasks-trust-policy.json",
        IN_HUB_ACCOUNT.render(
            resources.at("/CollectorTaskRole/Properties/AssumeRolePolicyDocument")));
    assertMatches(
        "hub-operator-policy.json",
        IN_HUB_ACCOUNT.render(resources.at("/OperatorPolicy/Properties/PolicyDocument")));
    assertMatches(
        "hub-ecs-tasks-trust-policy.json",
        IN_HUB_ACCOUNT.render(resources.at("/WorkerTaskRole/Properties/AssumeRolePolicyDocument")));
    assertMatches(
        "hub-ecs-tasks-trust-policy.json",
        IN_HUB_ACCOUNT.render(
            resources.at("/DispatcherTaskRole/Properties/AssumeRolePolicyDocument")));
  }

  @Test
  void ec2FleetTrustPolicyLetsOnlyEc2AssumeTheRole() {
    JsonNode trust = Templates.iamDocument("hub-ec2-trust-policy.json");
    assertThat(trust.at("/Statement")).hasSize(1);
    assertThat(trust.at("/Statement/0/Principal/Service").asText()).isEqualTo("ec2.amazonaws.com");
    assertThat(trust.at("/Statement/0/Action").asText()).isEqualTo("sts:AssumeRole");
  }

  @Test
  void everyDocumentIsCheckedHere() throws IOException {
    Set<String> checked =
        Set.of(
            "target-role-trust-policy.json",
            "target-role-permissions-policy.json",
            "target-role-retention-policy.json",
            "target-role-hooks-policy.json",
            "target-role-copy-policy.json",
            "vault-role-trust-policy.json",
            "vault-role-permissions-policy.json",
            "hub-worker-policy.json",
            "hub-dispatcher-policy.json",
            "hub-collector-policy.json",
            "hub-operator-policy.json",
            "hub-ecs-tasks-trust-policy.json",
            "hub-ec2-trust-policy.json");
    try (Stream<Path> files = Files.list(Templates.moduleDir().resolve("iam"))) {
      Set<String> present =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".json"))
              .collect(Collectors.toSet());
      assertThat(present).containsExactlyInAnyOrderElementsOf(checked);
    }
  }

  @Test
  void deployingGuideInlinesTheCurrentTargetRolePolicies() throws IOException {
    String guide = Files.readString(Templates.moduleDir().getParent().resolve("docs/deploying.md"));
    List<JsonNode> inlined = new ArrayList<>();
    Matcher block = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL).matcher(guide);
    while (block.find()) {
      inlined.add(Templates.json().readTree(block.group(1)));
    }
    assertThat(inlined)
        .containsExactly(
            Templates.iamDocument("target-role-trust-policy.json"),
            Templates.iamDocument("target-role-permissions-policy.json"));
  }

  private static void assertMatches(String file, JsonNode rendered) {
    assertThat(Templates.iamDocument(file))
        .as("infra/iam/%s differs from the template; rendered template:%n%s", file, rendered)
        .isEqualTo(rendered);
  }
}
