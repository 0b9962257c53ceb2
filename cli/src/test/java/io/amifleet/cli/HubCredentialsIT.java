package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.cli.testing.Cli;
import io.amifleet.cli.testing.JarProcess;
import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.SharedEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command that acts with the hub's credentials checks them once (STS GetCallerIdentity)
 * before it fans out: in an environment without credentials (no AWS_* keys, no config or
 * credentials files, no instance metadata) each says so in one line with the fix, and exits 2
 * having sent nothing.
 */
class HubCredentialsIT {
  private final Emulator emulator = SharedEmulator.get();
  @TempDir Path dir;
  private Path targets;

  @BeforeEach
  void setUp() throws Exception {
    targets = dir.resolve("targets.yaml");
    Files.writeString(
        targets,
        """
        defaults:
          regions: [us-east-1, eu-west-1]
          select: {all: true}
          retention: {keepLast: 3}
        accounts:
          - id: "111111111111"
          - id: "222222222222"
        """);
  }

  static Stream<String> commands() {
    return Stream.of(
        "dispatch --dry-run --targets T",
        "dispatch --targets T --queue-prefix nightly",
        "preflight --targets T",
        "run --targets T",
        "prune --targets T --dry-run",
        "prune --targets T",
        "worker --queue-prefix nightly",
        "results --queue-prefix nightly",
        "dlq list --queue-prefix nightly",
        "dlq replay --queue-prefix nightly",
        "queues create --queue-prefix nightly");
  }

  private JarProcess withoutCredentials() {
    return new JarProcess(dir)
        .env("AWS_REGION", Cli.REGION)
        .env("AWS_ENDPOINT_URL", emulator.endpoint().toString());
  }

  private String[] args(String command) {
    List<String> args = new ArrayList<>();
    for (String a : command.split(" ")) {
      args.add(a.equals("T") ? targets.toString() : a);
    }
    return args.toArray(String[]::new);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commands")
  void withoutHubCredentialsACommandSaysHowToSignInInOneLineAndExitsTwo(String command)
      throws Exception {
    Cli.Result r = withoutCredentials().run(Duration.ofMinutes(1), args(command));

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err().strip().lines())
        .as(r.toString())
        .containsExactly(
            "amifleet: no AWS credentials for the hub account; sign in with 'aws sso login"
                + " --profile NAME' and set AWS_PROFILE=NAME, or export AWS_ACCESS_KEY_ID and"
                + " AWS_SECRET_ACCESS_KEY, or run where an instance or task role provides them");
    assertThat(r.out()).as(r.toString()).doesNotContain("Unable to load credentials");
  }

  @Test
  void aNamedProfileWithoutCredentialsIsNamedInTheFix() throws Exception {
    Cli.Result r =
        withoutCredentials()
            .env("AWS_PROFILE", "nightly-admin")
            .run(Duration.ofMinutes(1), args("dispatch --dry-run --targets T"));

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
    assertThat(r.err()).contains("'aws sso login --profile nightly-admin'");
  }

  @Test
  void withCredentialsTheCheckPassesAndTheCommandRuns() throws Exception {
    Cli.Result r =
        withoutCredentials()
            .emulatorCredentials()
            .run(Duration.ofMinutes(1), args("dispatch --dry-run --targets T"));

    // moto has no such accounts' roles to refuse, so the dry run resolves them (no instances).
    assertThat(r.err()).as(r.toString()).doesNotContain("credentials");
    assertThat(r.exitCode()).as(r.toString()).isZero();
  }
}
