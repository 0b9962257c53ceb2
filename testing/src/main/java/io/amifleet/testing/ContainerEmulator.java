package io.amifleet.testing;

import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.EmulatorFallback;
import io.amifleet.emulator.MotoLauncher;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The tests' Docker fallback of {@link MotoLauncher} (an {@link EmulatorFallback} registered for
 * {@link java.util.ServiceLoader}): the moto image, or LocalStack when {@code
 * LOCALSTACK_AUTH_TOKEN} is set (LocalStack needs a token since March 2026). Only on the tests'
 * class path: Testcontainers does not ship in the executable.
 */
public record ContainerEmulator(GenericContainer<?> container, URI endpoint, String description)
    implements Emulator {
  private static final String MOTO_IMAGE = "motoserver/moto:" + MotoLauncher.MOTO_VERSION;
  private static final String LOCALSTACK_IMAGE = "localstack/localstack:4";

  private static ContainerEmulator started(GenericContainer<?> c, int port, String description) {
    c.start();
    return new ContainerEmulator(
        c, URI.create("http://" + c.getHost() + ":" + c.getMappedPort(port)), description);
  }

  @Override
  public void close() {
    container.stop();
  }

  /** Starts a container where Docker runs. */
  public static final class Fallback implements EmulatorFallback {
    @Override
    public Optional<Emulator> tryStart(Map<String, String> environment, List<String> tried) {
      boolean docker;
      try {
        docker = DockerClientFactory.instance().isDockerAvailable();
      } catch (RuntimeException | LinkageError e) {
        docker = false;
      }
      if (!docker) {
        tried.add("Docker is not running");
        return Optional.empty();
      }
      String token = environment.get("LOCALSTACK_AUTH_TOKEN");
      try {
        if (token != null && !token.isBlank()) {
          GenericContainer<?> c =
              new GenericContainer<>(DockerImageName.parse(LOCALSTACK_IMAGE))
                  .withEnv("LOCALSTACK_AUTH_TOKEN", token)
                  .withExposedPorts(4566)
                  .waitingFor(Wait.forHttp("/_localstack/health").forPort(4566));
          return Optional.of(started(c, 4566, "LocalStack container " + LOCALSTACK_IMAGE));
        }
        GenericContainer<?> c =
            new GenericContainer<>(DockerImageName.parse(MOTO_IMAGE))
                .withExposedPorts(5000)
                .waitingFor(Wait.forHttp("/moto-api/").forPort(5000));
        return Optional.of(started(c, 5000, "moto container " + MOTO_IMAGE));
      } catch (RuntimeException e) {
        tried.add("container did not start: " + e.getMessage());
        return Optional.empty();
      }
    }

    @Override
    public String hint() {
      return "start Docker";
    }
  }
}
