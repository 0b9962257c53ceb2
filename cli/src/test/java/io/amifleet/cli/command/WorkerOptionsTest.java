package io.amifleet.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.cli.CliContext;
import io.amifleet.cli.Main;
import io.amifleet.common.config.Environment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Worker flags that are bad usage fail before anything is made or received (exit 2). */
class WorkerOptionsTest {
  private record Run(int exitCode, String err) {}

  private static Run amifleet(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CliContext context =
        new CliContext(
            Environment.of(Map.of()),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false,
            s -> s,
            List.of());
    int code = Main.run(context, args);
    return new Run(code, err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void allowListOfOnlyACommaIsBadUsageNotAnyAccount() {
    Run r = amifleet("worker", "--queue-prefix", "p", "--allow-account", ",");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("amifleet: --allow-account: ");
  }

  @Test
  void blankAllowListIsBadUsageToo() {
    Run empty = amifleet("worker", "--queue-prefix", "p", "--allow-account", "");
    Run blank = amifleet("worker", "--queue-prefix", "p", "--allow-account", " ");

    assertThat(empty.exitCode()).isEqualTo(2);
    assertThat(blank.exitCode()).isEqualTo(2);
    assertThat(empty.err() + blank.err())
        .doesNotContain("unexpected error")
        .contains("--allow-account");
  }

  @Test
  void visibilityTimeoutTheHeartbeatCannotSustainIsBadUsage() {
    Run r = amifleet("worker", "--queue-prefix", "p", "--visibility-timeout", "5s");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--visibility-timeout must be between 30s and 1h");
  }

  @Test
  void receiveWaitOutsideSqsLongPollingIsBadUsage() {
    Run tooLong = amifleet("worker", "--queue-prefix", "p", "--receive-wait", "30s");
    Run tooShort = amifleet("worker", "--queue-prefix", "p", "--receive-wait", "500ms");

    assertThat(tooLong.exitCode()).isEqualTo(2);
    assertThat(tooLong.err())
        .contains("--receive-wait must be 1s to 20s (SQS long polling), not 30s");
    assertThat(tooShort.exitCode()).isEqualTo(2);
    assertThat(tooShort.err()).contains("--receive-wait must be 1s to 20s");
  }
}
