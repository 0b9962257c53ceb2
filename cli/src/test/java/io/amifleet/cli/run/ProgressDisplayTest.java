package io.amifleet.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
}
