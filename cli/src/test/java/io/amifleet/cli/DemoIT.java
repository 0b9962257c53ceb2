package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.cli.testing.Cli;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.SharedEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code amifleet demo} end to end (the README's first command), against the test emulator. */
class DemoIT {
  private final RealisticEmulator emulator = SharedEmulator.get();
  @TempDir Path dir;

  @Test
  void demoImagesTheTaggedInstancesOfThreeAccountsAndLeavesTheOthersAlone() throws Exception {
    emulator.reset();

    Cli.Result r =
        new Cli(emulator, Map.of())
            .run(
                "demo",
                "--dir",
                dir.toString(),
                "--pending",
                "2s",
                // moto itself: the demo puts its own realistic EC2 layer in front.
                "--endpoint-url",
                emulator.motoEndpoint().toString());

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("13 result(s): 13 succeeded, 0 failed, 0 timed out")
        .contains(
            "13 image(s) made for 13 tagged instance(s), each in its own account; 0 in the hub; 2 untagged instance(s) left alone")
        .contains("progress: 13/13 done")
        .containsPattern("The EC2 layer answered \\d+ EC2 calls \\(13 CreateImage, ")
        .contains(
            "Disaster-recovery copies: 5 of web's images in eu-central-1, 4 of payments' in the"
                + " vault account 444444444444 (eu-central-1); the results list 9 copies, all"
                + " available.")
        .contains("Demo finished: all good");
    assertThat(Files.readString(dir.resolve("targets.yaml")))
        .contains("Backup: nightly")
        .contains("${AMIFLEET_EXTERNAL_ID}");
    assertThat(dir.resolve("report.json")).exists();
  }
}
