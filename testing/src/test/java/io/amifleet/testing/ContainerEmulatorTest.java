package io.amifleet.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.emulator.EmulatorFallback;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ContainerEmulatorTest {
  @Test
  void theTestsClassPathOffersTheDockerFallbackToTheLauncher() {
    assertThat(ServiceLoader.load(EmulatorFallback.class))
        .hasAtLeastOneElementOfType(ContainerEmulator.Fallback.class)
        .allSatisfy(f -> assertThat(f.hint()).isNotBlank());
  }
}
