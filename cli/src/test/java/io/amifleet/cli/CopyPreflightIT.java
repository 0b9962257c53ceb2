package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.cli.testing.Cli;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.SharedEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * {@code amifleet preflight} checks each copy destination: the vault role is assumable with its
 * ExternalId, the region is enabled, the copy's KMS key is usable there (moto's KMS, through the
 * realistic layer).
 */
class CopyPreflightIT {
  private static final String VAULT = "999999999999";

  private final RealisticEmulator emulator = SharedEmulator.get();
  private EmulatedAws aws;
  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    emulator.reset();
    emulator
        .layer()
        .use(
            SharedEmulator.testSettings().toBuilder()
                .externalId("AmiFleetVault", "vault-ok")
                .build());
    aws = new EmulatedAws(emulator.endpoint(), "us-east-1");
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  /** A key made in the vault account and region, as the vault's administrator would. */
  private String vaultKey() {
    try (StsAssumeRoleCredentialsProvider admin =
            StsAssumeRoleCredentialsProvider.builder()
                .stsClient(aws.sts())
                .refreshRequest(
                    r ->
                        r.roleArn("arn:aws:iam::" + VAULT + ":role/Admin")
                            .roleSessionName("vault-admin"))
                .build();
        KmsClient kms =
            KmsClient.builder()
                .endpointOverride(emulator.endpoint())
                .region(Region.EU_CENTRAL_1)
                .credentialsProvider(admin)
                .build()) {
      return kms.createKey(b -> b.description("vault copies")).keyMetadata().arn();
    }
  }

  @Test
  void eachCopyDestinationIsCheckedAndAMissingKeyAndAWrongVaultExternalIdAreReported()
      throws Exception {
    String key = vaultKey();
    Path file = dir.resolve("targets.yaml");
    Files.writeString(
        file,
        """
        defaults: {regions: [us-east-1], select: {all: true}}
        accounts:
          - id: "111111111111"
            name: web
            copies:
              - {region: eu-west-1, kmsKeyId: alias/missing}
              - account: "999999999999"
                region: eu-central-1
                roleName: AmiFleetVault
                externalId: vault-ok
                kmsKeyId: %s
          - id: "222222222222"
            name: db
            copies:
              - {account: "999999999999", region: eu-central-1, roleName: AmiFleetVault, externalId: vault-wrong}
        """
            .formatted(key));

    Cli.Result r = new Cli(emulator, Map.of()).run("preflight", "--targets", file.toString());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.out())
        .containsPattern(
            "111111111111 +web +111111111111 +eu-west-1 +OK +OK +FAILED +KMS key alias/missing")
        .containsPattern("111111111111 +web +999999999999 +eu-central-1 +OK +OK +OK +-")
        .containsPattern(
            "222222222222 +db +999999999999 +eu-central-1 +FAILED .*vault role: .*AccessDenied")
        .contains("3 copy destination(s) checked: 1 ok, 2 with problems")
        .doesNotContain("vault-ok")
        .doesNotContain("vault-wrong");
  }
}
