package io.amifleet.emulator;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A last way for {@link MotoLauncher} to get an emulator when moto is neither running nor
 * installed, found with {@link java.util.ServiceLoader}: the tests' module provides a container
 * (Testcontainers, where Docker runs), which the shipped executable does not carry.
 */
public interface EmulatorFallback {
  /**
   * Starts an emulator, or says in {@code tried} why it could not.
   *
   * @param environment the process environment (e.g. {@code LOCALSTACK_AUTH_TOKEN})
   */
  Optional<Emulator> tryStart(Map<String, String> environment, List<String> tried);

  /**
   * What a user can do to make it work, for the message when nothing could start: "start Docker".
   */
  String hint();
}
