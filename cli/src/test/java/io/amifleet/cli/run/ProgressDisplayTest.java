package io.amifleet.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProgressDisplayTest {
  private Locale original;

  /** The expected lines are written with a decimal point. */
  @BeforeEach
  void pinLocale() {
    original = Locale.getDefault();
    Locale.setDefault(Locale.US);
  }

  @AfterEach
  void restoreLocale() {
    Locale.setDefault(original);
  }

  @Test
  void lineSaysHowManyAreDoneAndHowTheyEnded() {
    RunProgress.Snapshot s = new RunProgress.Snapshot(10, 4, 2, 1, 1, 3, Duration.ofSeconds(8));

    assertThat(ProgressDisplay.line(s))
        .isEqualTo(
            "progress: 4/10 done, 2 succeeded, 1 failed, 1 timed out, 3 waiting, 8.0s elapsed,"
                + " 0.5 jobs/s");
  }

  @Test
  void lineOfALongRunShowsMinutesAndARoundedRate() {
    RunProgress.Snapshot s =
        new RunProgress.Snapshot(500, 321, 300, 20, 1, 150, Duration.ofSeconds(125));

    assertThat(ProgressDisplay.line(s))
        .isEqualTo(
            "progress: 321/500 done, 300 succeeded, 20 failed, 1 timed out, 150 waiting, 2m05s"
                + " elapsed, 2.6 jobs/s");
  }

  @Test
  void lineAtTheStartHasNoRate() {
    RunProgress.Snapshot s = new RunProgress.Snapshot(0, 0, 0, 0, 0, 0, Duration.ZERO);

    assertThat(ProgressDisplay.line(s))
        .isEqualTo(
            "progress: 0/0 done, 0 succeeded, 0 failed, 0 timed out, 0 waiting, 0.0s elapsed,"
                + " 0.0 jobs/s");
  }

  @Test
  void aStatusLineOnATerminalGoesAboveTheLiveLineWhichIsDrawnAgain() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    RunProgress progress = new RunProgress(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
    progress.expect(13);
    try (ProgressDisplay display = new ProgressDisplay(progress, out, true)) {
      display.println("run r1: applying retention in 4 account-region(s)");
      String shown = bytes.toString(StandardCharsets.UTF_8);

      assertThat(shown)
          .startsWith("\r\033[Krun r1: applying retention in 4 account-region(s)\n\r\033[K[")
          .contains("] 0/13");
    }
  }

  @Test
  void aStatusLineOffATerminalIsJustALine() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    ProgressDisplay display =
        new ProgressDisplay(
            new RunProgress(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC)), out, false);
    display.println("run r1: applying retention in 4 account-region(s)");

    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .isEqualTo("run r1: applying retention in 4 account-region(s)\n");
  }
}
