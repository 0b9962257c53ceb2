package io.amifleet.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The vault-account role: only the hub's worker, with the ExternalId, may assume it; it copies,
 * tags at copy time and deletes only amifleet's copies; it uses keys only through EC2.
 */
class VaultRoleTest {
  private static final JsonNode VAULT = Templates.load(Templates.VAULT_ROLE);

  @Test
  void onlyTheHubWorkerWithTheExternalIdMayAssumeIt() {
    JsonNode trust = VAULT.at("/Resources/VaultRole/Properties/AssumeRolePolicyDocument/Statement");
    assertThat(trust).hasSize(1);
    JsonNode s = trust.get(0);
    assertThat(s.at("/Condition/StringEquals/sts:ExternalId/Ref").asText()).isEqualTo("ExternalId");
    assertThat(s.at("/Condition/ArnEquals/aws:PrincipalArn/Fn::Sub").asText())
        .isEqualTo("arn:${AWS::Partition}:iam::${HubAccountId}:role/${HubWorkerRoleName}");
    assertThat(VAULT.at("/Parameters/ExternalId/NoEcho").asBoolean()).isTrue();
  }

  @Test
  void itsPermissionsAreCopyingTaggingAtCopyDeletingManagedCopiesAndKeysThroughEc2() {
    List<String> actions = new ArrayList<>();
    for (JsonNode s :
        VAULT.at("/Resources/VaultRole/Properties/Policies/0/PolicyDocument/Statement")) {
      JsonNode action = s.get("Action");
      List<String> mine = new ArrayList<>();
      if (action.isArray()) {
        action.forEach(a -> mine.add(a.asText()));
      } else {
        mine.add(action.asText());
      }
      actions.addAll(mine);
      assertThat(mine).noneMatch(a -> a.contains("*"));
      if (mine.contains("ec2:CreateTags")) {
        assertThat(s.at("/Condition/StringEquals/ec2:CreateAction").asText())
            .isEqualTo("CopyImage");
      }
      if (mine.stream().anyMatch(a -> a.matches("ec2:(Delete|Deregister)\\w+"))) {
        assertThat(s.at("/Condition/StringEquals/aws:ResourceTag~1amifleet:managed").asText())
            .isEqualTo("true");
      }
      if (mine.stream().anyMatch(a -> a.startsWith("kms:"))) {
        assertThat(s.at("/Condition/StringLike/kms:ViaService").asText())
            .isEqualTo("ec2.*.amazonaws.com");
      }
      if (s.get("Resource").asText().equals("*")) {
        assertThat(mine).allMatch(a -> a.startsWith("ec2:Describe"));
      }
    }
    assertThat(actions)
        .doesNotContain("ec2:ModifyImageAttribute", "ec2:ModifySnapshotAttribute")
        .contains("ec2:CopyImage", "ec2:DeregisterImage", "ec2:DeleteSnapshot");
  }
}
