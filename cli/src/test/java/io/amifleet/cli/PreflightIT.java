package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.cli.testing.Cli;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import io.amifleet.testing.fault.RequestFaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.model.CreateImageRequest;

/** {@code amifleet preflight} against moto (which answers EC2 DryRun as AWS does). */
class PreflightIT {
  private final Emulator emulator = SharedEmulator.get();
  private EmulatedAws aws;
  private Seeder seeder;
  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    emulator.reset();
    aws = new EmulatedAws(emulator.endpoint(), "us-east-1");
    seeder = new Seeder(aws);
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  private Path targets(String accounts) throws Exception {
    Path file = dir.resolve("targets.yaml");
    Files.writeString(
        file,
        "defaults: {regions: [us-east-1], select: {tags: {Backup: nightly}}}\naccounts:\n"
            + accounts);
    return file;
  }

  @Test
  void healthyAccountsPassAndABrokenRoleIsReportedWithExitOne() throws Exception {
    seeder.runInstances("111111111111", "us-east-1", 3, Map.of("Backup", "nightly"));
    seeder.runInstances("222222222222", "us-east-1", 1, Map.of("Backup", "nightly"));
    Path file =
        targets(
            "  - {id: \"111111111111\", name: web}\n  - {id: \"222222222222\", name: db}\n  - {id: \"333333333333\", name: empty}\n");

    Cli.Result r =
        new Cli(emulator, Map.of())
            .intercept(RequestFaults.assumeRoleDenied("222222222222"))
            .run("preflight", "--targets", file.toString());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.out())
        .containsPattern("111111111111 +web +us-east-1 +OK +3 matched +OK")
        .containsPattern("222222222222 +db +us-east-1 +FAILED .*AccessDenied")
        .containsPattern("333333333333 +empty +us-east-1 +OK +0 matched +(OK|NOT_CHECKED)")
        .contains("3 account-region(s) checked")
        .contains("2 ok, 1 with problems");
  }

  @Test
  void createImageNotAllowedIsReported() throws Exception {
    seeder.runInstances("111111111111", "us-east-1", 1, Map.of("Backup", "nightly"));
    RequestFaults denied =
        new RequestFaults(
            q -> q instanceof CreateImageRequest c && Boolean.TRUE.equals(c.dryRun()),
            "UnauthorizedOperation",
            403);

    Cli.Result r =
        new Cli(emulator, Map.of())
            .intercept(denied)
            .run("preflight", "--targets", targets("  - id: \"111111111111\"\n").toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("CreateImage not allowed").contains("UnauthorizedOperation");
  }

  @Test
  void sixtyAccountsAreEachCheckedAndReportedAsJson() throws Exception {
    StringBuilder accounts = new StringBuilder();
    for (int i = 1; i <= 60; i++) {
      accounts.append(String.format("  - id: \"9%011d\"%n", i));
    }

    Cli.Result r =
        new Cli(emulator, Map.of())
            .run(
                "preflight",
                "--targets",
                targets(accounts.toString()).toString(),
                "--output",
                "json");
    // How fast is for the benchmark (bench/run, scenario 6), not for a test.
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out().lines()).hasSize(60).allMatch(l -> l.contains("\"ok\":true"));
    for (int i = 1; i <= 60; i++) {
      assertThat(r.out()).contains(String.format("\"accountId\":\"9%011d\"", i));
    }
  }
}
