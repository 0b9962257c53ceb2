package io.amifleet.common.config;

import java.util.Map;
import java.util.Optional;

/**
 * Environment variables, read only through this interface so that configuration code is testable
 * and nothing else in amifleet reads the process environment.
 */
@FunctionalInterface
public interface Environment {
  Optional<String> get(String name);

  static Environment system() {
    return name -> Optional.ofNullable(System.getenv(name));
  }

  static Environment of(Map<String, String> values) {
    Map<String, String> copy = Map.copyOf(values);
    return name -> Optional.ofNullable(copy.get(name));
  }
}
