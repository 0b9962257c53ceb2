package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.cli.testing.Cli;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.SharedEmulator;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Targets files that are not one: a device, or more than the 3 MB cap, locally or in S3. Each is a
 * configuration error (exit 2) that says what is wrong, before anything is read in full or sent.
 */
class TargetsLimitsIT {
  private final Emulator emulator = SharedEmulator.get();

  @BeforeEach
  void setUp() {
    emulator.reset();
  }

  private Cli cli() {
    return new Cli(emulator, Map.of());
  }

  @Test
  void deviceIsNotATargetsFile() {
    Cli.Result r = cli().run("dispatch", "--targets", "/dev/zero", "--dry-run");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "amifleet: /dev/zero: not a regular file (a directory, device or pipe cannot be a"
                + " targets file)\n");
  }

  @Test
  void directoryIsNotATargetsFile() {
    Path here = Path.of(".").toAbsolutePath();

    Cli.Result r = cli().run("dispatch", "--targets", here.toString(), "--dry-run");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("not a regular file");
  }

  @Test
  void objectInS3LargerThanTheCapIsRefusedFromItsSize() {
    try (S3Client s3 =
        S3Client.builder()
            .endpointOverride(emulator.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(EmulatedAws.hubCredentials())
            .forcePathStyle(true)
            .build()) {
      s3.createBucket(b -> b.bucket("fleet-config"));
      s3.putObject(
          b -> b.bucket("fleet-config").key("huge.yaml"),
          RequestBody.fromString("# " + "x".repeat(6 * 1024 * 1024) + "\n"));
    }

    Cli.Result r = cli().run("dispatch", "--targets", "s3://fleet-config/huge.yaml", "--dry-run");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err())
        .startsWith("amifleet: s3://fleet-config/huge.yaml: larger than 3 MB, the most a targets");
  }
}
