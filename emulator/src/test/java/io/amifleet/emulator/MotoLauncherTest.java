package io.amifleet.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MotoLauncherTest {
  @Test
  void withoutMotoPythonOrAFallbackItSaysWhatToInstallAndOffersNoDocker(@TempDir Path dir) {
    // This module's class path has no EmulatorFallback: as in the shipped executable.
    MotoLauncher launcher = new MotoLauncher(Map.of("PATH", dir.toString()), dir);

    Throwable thrown = catchThrowable(launcher::start);

    assertThat(thrown)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("moto_server is not on PATH")
        .hasMessageContaining("pip install 'moto[server]==" + MotoLauncher.MOTO_VERSION + "'")
        .hasMessageContaining(MotoLauncher.ENDPOINT_VARIABLE)
        .hasMessageNotContaining("Docker");
  }
}
