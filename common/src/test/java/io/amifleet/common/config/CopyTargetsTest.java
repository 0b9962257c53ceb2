package io.amifleet.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code copies} of targets.yaml: bound, defaulted, and every wrong value named where it is. */
class CopyTargetsTest {
  private final TargetsLoader loader =
      new TargetsLoader(Environment.of(Map.of("AMIFLEET_EXTERNAL_ID", "ext-secret-1")));

  private Targets parse(String yaml) {
    return loader.parse("targets.yaml", yaml);
  }

  private List<String> problems(String yaml) {
    Throwable thrown = catchThrowable(() -> parse(yaml));
    assertThat(thrown).isInstanceOf(ConfigException.class);
    return ((ConfigException) thrown).problems();
  }

  @Test
  void theIssuesExampleBindsADrRegionAndAVaultCopyFromDefaults() {
    Targets t =
        parse(
            """
            defaults:
              regions: [us-east-1]
              externalId: ${AMIFLEET_EXTERNAL_ID}
              select: {all: true}
              copies:
                - region: eu-west-1
                  kmsKeyId: alias/amifleet-dr
                  retention: {keepLast: 14}
                - account: "999999999999"
                  region: eu-central-1
                  roleName: AmiFleetVault
                  kmsKeyId: arn:aws:kms:eu-central-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab
            accounts:
              - id: "111111111111"
            """);

    List<CopyTarget> copies = t.accounts().get(0).copies();
    assertThat(copies).hasSize(2);
    CopyTarget dr = copies.get(0);
    assertThat(dr.vaultAccount()).isEmpty();
    assertThat(dr.accountIn("111111111111")).isEqualTo("111111111111");
    assertThat(dr.region()).isEqualTo("eu-west-1");
    assertThat(dr.roleArn()).isEmpty();
    assertThat(dr.kmsKeyId()).contains("alias/amifleet-dr");
    assertThat(dr.retention()).contains(new Retention(Optional.of(14), Optional.empty()));
    CopyTarget vault = copies.get(1);
    assertThat(vault.vaultAccount()).contains("999999999999");
    assertThat(vault.roleArn()).contains("arn:aws:iam::999999999999:role/AmiFleetVault");
    // The vault's ExternalId is the account's unless the copy gives its own; never printed.
    assertThat(vault.externalId()).contains("ext-secret-1");
    assertThat(vault.toString()).doesNotContain("ext-secret-1");
    assertThat(t.accounts().get(0).toString()).doesNotContain("ext-secret-1");
  }

  @Test
  void anAccountsOwnCopiesReplaceTheDefaults() {
    Targets t =
        parse(
            """
            defaults:
              regions: [us-east-1]
              select: {all: true}
              copies: [{region: eu-west-1}]
            accounts:
              - id: "111111111111"
                copies: [{region: eu-central-1, retention: {maxAge: 30d}}]
              - id: "222222222222"
                copies: []
            """);

    assertThat(t.accounts().get(0).copies())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.region()).isEqualTo("eu-central-1");
              assertThat(c.retention().get().maxAge()).contains(Duration.ofDays(30));
            });
    assertThat(t.accounts().get(1).copies()).isEmpty();
  }

  @Test
  void aCopyIntoOneOfTheAccountsOwnRegionsIsAnError() {
    List<String> problems =
        problems(
            """
            accounts:
              - id: "111111111111"
                regions: [us-east-1, eu-west-1]
                select: {all: true}
                copies: [{region: eu-west-1}, {account: "111111111111", region: us-east-1}]
            """);

    assertThat(problems)
        .hasSize(2)
        .allMatch(p -> p.startsWith("targets.yaml: accounts[0] (111111111111).copies: "))
        .anyMatch(p -> p.contains("copies[0] copies into eu-west-1, one of the account's own"))
        .anyMatch(p -> p.contains("copies[1] copies into us-east-1"));
  }

  @Test
  void everyWrongFieldOfACopyIsNamed() {
    List<String> problems =
        problems(
            """
            defaults:
              regions: [us-east-1]
              select: {all: true}
            accounts:
              - id: "111111111111"
                copies:
                  - {account: "999999999999", region: eu-central-1}
                  - {account: "99", region: eu-west-9x, roleName: "bad role"}
                  - {region: eu-west-1, roleName: AmiFleetVault, kmsKeyId: "not a key"}
                  - {region: eu-west-2, kmsKeyId: "arn:aws:kms:eu-west-1:111111111111:alias/dr"}
                  - account: "999999999999"
                    region: eu-north-1
                    roleName: AmiFleetVault
                    kmsKeyId: arn:aws:kms:eu-north-1:111111111111:alias/vault
                  - {region: cn-north-1}
                  - {regoin: eu-west-3}
                  - {region: eu-south-1}
                  - {region: eu-south-1}
            """);

    String at = "targets.yaml: accounts[0] (111111111111).copies";
    assertThat(problems)
        .contains(
            at + "[0].roleName: required for a copy into another account",
            at + "[1].account: '99' is not a 12-digit account ID",
            at
                + "[2].roleName: only a copy into another account has a role; a copy in the same"
                + " account uses the account's role",
            at
                + "[2].kmsKeyId: 'not a key' is not a KMS key ID, key ARN, alias (alias/...) or"
                + " alias ARN",
            at
                + "[3].kmsKeyId: the key is in eu-west-1, but the copy goes to eu-west-2: CopyImage"
                + " encrypts with a key of the destination region",
            at
                + "[4].kmsKeyId: the key is in account 111111111111, but the copy is made in"
                + " 999999999999 (the vault: give the vault's own key)",
            at + "[5].region: 'cn-north-1' is not in partition aws of the account's regions",
            at + "[8]: destination listed twice (eu-south-1)")
        .anyMatch(p -> p.startsWith(at + "[1].region: "))
        .anyMatch(p -> p.startsWith(at + "[6].regoin: unknown field (did you mean 'region'?)"))
        .anyMatch(p -> p.startsWith(at + "[6].region: required"));
  }

  @Test
  void copiesThatAreNotAListOfMappingsAreNamed() {
    assertThat(
            problems(
                """
                accounts:
                  - id: "111111111111"
                    regions: [us-east-1]
                    select: {all: true}
                    copies: eu-west-1
                """))
        .containsExactly(
            "targets.yaml: accounts[0] (111111111111).copies: must be a list of mappings, e.g."
                + " [{region: ...}]");
  }
}
