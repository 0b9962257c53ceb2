package io.amifleet.common.config;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.ErrorKind;
import java.util.List;

/**
 * Bad configuration or usage: the command stops before anything is sent and exits with code 2.
 * Carries every problem found, each naming the file, the account and the field.
 */
public final class ConfigException extends AmiFleetException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public ConfigException(String problem) {
    this(List.of(problem));
  }

  public ConfigException(List<String> problems) {
    super(ErrorKind.PERMANENT, "InvalidConfig", String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
