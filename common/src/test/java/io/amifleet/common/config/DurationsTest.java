package io.amifleet.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one way amifleet writes durations (progress, tables, summaries, logs). */
class DurationsTest {
  @Test
  void shortDurationsShowTenthsOfSeconds() {
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0.0s");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(Durations.format(Duration.ofMillis(9900))).isEqualTo("9.9s");
  }

  @Test
  void fromTenSecondsWholeSecondsWithoutAZeroMinute() {
    assertThat(Durations.format(Duration.ofMillis(7100))).isEqualTo("7.1s");
    assertThat(Durations.format(Duration.ofSeconds(14))).isEqualTo("14s");
    assertThat(Durations.format(Duration.ofSeconds(59))).isEqualTo("59s");
  }

  @Test
  void fromAMinuteMinutesAndSeconds() {
    assertThat(Durations.format(Duration.ofSeconds(60))).isEqualTo("1m00s");
    assertThat(Durations.format(Duration.ofSeconds(134))).isEqualTo("2m14s");
    assertThat(Durations.format(Duration.ofSeconds(3599))).isEqualTo("59m59s");
  }

  @Test
  void fromAnHourHoursAndMinutesThenDaysAndHours() {
    assertThat(Durations.format(Duration.ofHours(1))).isEqualTo("1h00m");
    assertThat(Durations.format(Duration.ofMinutes(270).plusSeconds(59))).isEqualTo("4h30m");
    assertThat(Durations.format(Duration.ofHours(26))).isEqualTo("1d02h");
  }

  @Test
  void noIsoFormatAnywhere() {
    assertThat(Durations.format(Duration.ofSeconds(2))).isEqualTo("2.0s").doesNotContain("PT");
  }

  @Test
  void whatItWritesForWholeUnitsParsesBack() {
    for (String s : new String[] {"14s", "2m14s", "1h02m", "1d02h"}) {
      assertThat(Durations.format(Durations.parse(s))).isEqualTo(s);
    }
  }
}
