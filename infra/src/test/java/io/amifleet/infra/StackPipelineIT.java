package io.amifleet.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.cli.CliContext;
import io.amifleet.cli.Main;
import io.amifleet.common.config.Environment;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import io.amifleet.infra.HubStackDeployer.DeployedHub;
import io.amifleet.infra.HubStackDeployer.DeployedTargetRole;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline on infrastructure made by the templates: the hub stack's queues (with its redrive
 * policy) and a target role deployed from target-role.yaml into the target account, whose name and
 * ExternalId the jobs use.
 */
class StackPipelineIT {
  private static final String TARGET = "111111111111";

  private final Emulator emulator = SharedEmulator.get();
  private final String prefix = "sp-" + UUID.randomUUID().toString().substring(0, 8);
  private HubStackDeployer deployer;
  private EmulatedAws aws;
  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    deployer = new HubStackDeployer(emulator.endpoint());
    aws = new EmulatedAws(emulator.endpoint(), HubStackDeployer.REGION);
  }

  @AfterEach
  void tearDown() {
    aws.close();
    deployer.close();
  }

  private record Run(int exitCode, String out, String err) {}

  private Run amifleet(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CliContext context =
        new CliContext(
            Environment.of(Map.of("AMIFLEET_EXTERNAL_ID", HubStackDeployer.EXTERNAL_ID)),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false,
            s ->
                s.withRegion(HubStackDeployer.REGION)
                    .withEndpoint(emulator.endpoint())
                    .withHubCredentials(EmulatedAws.hubCredentials()),
            List.of());
    int code = Main.run(context, args);
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void jobsFlowThroughTheStacksQueuesAndTheDeployedTargetRole() throws Exception {
    DeployedHub hub = deployer.deployHub(prefix, 3);
    String roleName = "AmiFleetCreator-" + prefix;
    DeployedTargetRole role =
        deployer.deployTargetRole(TARGET, roleName, hub.workerRoleName(), hub.dispatcherRoleName());
    assertThat(role.roleArn()).isEqualTo("arn:aws:iam::" + TARGET + ":role/" + roleName);
    new Seeder(aws).runInstances(TARGET, HubStackDeployer.REGION, 3, Map.of("Backup", "nightly"));
    Path targets = dir.resolve("targets.yaml");
    Files.writeString(
        targets,
        """
        defaults:
          roleName: %s
          externalId: ${AMIFLEET_EXTERNAL_ID}
          regions: [us-east-1]
          select: {tags: {Backup: nightly}}
        accounts:
          - id: "%s"
        """
            .formatted(roleName, TARGET));

    Run dispatch =
        amifleet(
            "dispatch",
            "--targets",
            targets.toString(),
            "--queue-prefix",
            prefix,
            "--run-id",
            "stack-1");
    Run worker =
        amifleet(
            "worker",
            "--jobs-queue",
            hub.jobsQueueUrl(),
            "--results-queue",
            hub.resultsQueueUrl(),
            "--dlq",
            hub.deadLetterQueueUrl(),
            "--exit-when-idle",
            "3s",
            "--poll-interval",
            "1s");
    Run results =
        amifleet(
            "results",
            "--queue-prefix",
            prefix,
            "--run-id",
            "stack-1",
            "--expect",
            "3",
            "--timeout",
            "60s");

    assertThat(dispatch.exitCode()).as(dispatch.out() + dispatch.err()).isZero();
    assertThat(worker.exitCode()).as(worker.err()).isZero();
    assertThat(results.exitCode()).as(results.out() + results.err()).isZero();
    assertThat(results.out()).contains("3 result(s): 3 succeeded");
    assertThat(new Seeder(aws).ownedImages(TARGET, HubStackDeployer.REGION)).hasSize(3);
  }
}
