package io.amifleet.emulator;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The Docker fallback of {@link MotoLauncher}: the moto image, or LocalStack when {@code
 * LOCALSTACK_AUTH_TOKEN} is set (LocalStack needs a token since March 2026).
 */
final class ContainerEmulator implements Emulator {
  private static final String MOTO_IMAGE = "motoserver/moto:" + MotoLauncher.MOTO_VERSION;
  private static final String LOCALSTACK_IMAGE = "localstack/localstack:4";

  private final GenericContainer<?> container;
  private final URI endpoint;
  private final String description;

  private ContainerEmulator(GenericContainer<?> container, int port, String description) {
    this.container = container;
    this.endpoint =
        URI.create("http://" + container.getHost() + ":" + container.getMappedPort(port));
    this.description = description;
  }

  static Optional<Emulator> tryStart(Map<String, String> environment, List<String> tried) {
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
        c.start();
        return Optional.of(
            new ContainerEmulator(c, 4566, "LocalStack container " + LOCALSTACK_IMAGE));
      }
      GenericContainer<?> c =
          new GenericContainer<>(DockerImageName.parse(MOTO_IMAGE))
              .withExposedPorts(5000)
              .waitingFor(Wait.forHttp("/moto-api/").forPort(5000));
      c.start();
      return Optional.of(new ContainerEmulator(c, 5000, "moto container " + MOTO_IMAGE));
    } catch (RuntimeException e) {
      tried.add("container did not start: " + e.getMessage());
      return Optional.empty();
    }
  }

  @Override
  public URI endpoint() {
    return endpoint;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public void reset() {
    MotoLauncher.reset(endpoint);
  }

  @Override
  public void close() {
    container.stop();
  }
}
