package io.amifleet.cli.options;

import io.amifleet.common.config.Durations;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Reads duration flags with {@link Durations#parse} ({@code 500ms}, {@code 30s}, {@code 4h}, ...).
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  public static Duration parse(String value) {
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
