package io.amifleet.cli.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class DurationConverterTest {
  private final DurationConverter converter = new DurationConverter();

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "500ms, PT0.5S",
    "30s, PT30S",
    "5m, PT5M",
    "4h, PT4H",
    "1h30m, PT1H30M",
    "2d, PT48H",
    "1m500ms, PT1M0.5S",
    "0s, PT0S",
    "PT4H, PT4H",
    "pt15m, PT15M",
    "' 30s ', PT30S",
    "30S, PT30S"
  })
  void readsDurationsAsOperatorsWriteThem(String text, String expected) {
    assertThat(converter.convert(text)).isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest(name = "''{0}'' is rejected")
  @ValueSource(
      strings = {"5", "5x", "", "  ", "-1s", "s", "1h30", "30s5", "1.5h", "P", "PTx", "h1"})
  void rejectsWhatIsNotADuration(String text) {
    assertThatThrownBy(() -> converter.convert(text))
        .isInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessageContaining("'" + text + "' is not a duration");
  }

  @ParameterizedTest(name = "''{0}'' is rejected like -1s")
  @ValueSource(strings = {"PT-1S", "PT-4H", "P-1D", "PT1H-90M"})
  void rejectsNegativeIsoDurations(String text) {
    assertThatThrownBy(() -> converter.convert(text))
        .isInstanceOf(CommandLine.TypeConversionException.class);
  }
}
