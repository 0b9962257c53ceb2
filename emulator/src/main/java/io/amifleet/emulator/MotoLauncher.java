package io.amifleet.emulator;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds or starts a moto server, in this order:
 *
 * <ol>
 *   <li>an emulator already running at {@code AMIFLEET_TEST_ENDPOINT};
 *   <li>{@code moto_server} on the PATH;
 *   <li>{@code moto_server} in a project-local {@code .venv}, created with pinned {@code
 *       moto[server]} when Python 3 is there and PyPI answers;
 *   <li>an {@link EmulatorFallback} on the class path: the tests' module starts a container where
 *       Docker runs (LocalStack when {@code LOCALSTACK_AUTH_TOKEN} is set, otherwise the moto
 *       image); the shipped executable has none;
 *   <li>otherwise an {@link IllegalStateException} that says what to install.
 * </ol>
 *
 * <p>Never a silent skip: callers that cannot get an emulator fail with that message.
 */
public final class MotoLauncher {
  public static final String MOTO_VERSION = "5.2.1";
  public static final String ENDPOINT_VARIABLE = "AMIFLEET_TEST_ENDPOINT";

  private static final Logger log = LoggerFactory.getLogger(MotoLauncher.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Map<String, String> environment;
  private final Path projectDir;

  public MotoLauncher(Map<String, String> environment, Path projectDir) {
    this.environment = Map.copyOf(environment);
    this.projectDir = projectDir;
  }

  /**
   * A launcher reading the process environment, with the project directory found upward from cwd.
   */
  public static MotoLauncher fromEnvironment() {
    return new MotoLauncher(System.getenv(), findProjectDir(Path.of("").toAbsolutePath()));
  }

  public Emulator start() {
    List<String> tried = new ArrayList<>();
    String given = environment.get(ENDPOINT_VARIABLE);
    if (given != null && !given.isBlank()) {
      URI endpoint = URI.create(given);
      if (!waitUntilUp(endpoint, Duration.ofSeconds(5))) {
        throw new IllegalStateException(
            ENDPOINT_VARIABLE + "=" + given + " is set, but nothing answers there");
      }
      return new External(endpoint);
    }
    Optional<Path> onPath = findOnPath("moto_server");
    if (onPath.isPresent()) {
      return startProcess(onPath.get(), "moto_server on PATH (" + onPath.get() + ")");
    }
    tried.add("moto_server is not on PATH");

    Path venvMoto = projectDir.resolve(".venv/bin/moto_server");
    if (Files.isExecutable(venvMoto) || createVenv(tried)) {
      return startProcess(venvMoto, "moto_server from " + projectDir.resolve(".venv"));
    }

    StringBuilder hints = new StringBuilder();
    for (EmulatorFallback fallback : ServiceLoader.load(EmulatorFallback.class)) {
      Optional<Emulator> started = fallback.tryStart(environment, tried);
      if (started.isPresent()) {
        return started.get();
      }
      hints.append("; or ").append(fallback.hint());
    }
    throw new IllegalStateException(
        "No AWS emulator available ("
            + String.join("; ", tried)
            + "). Install moto "
            + MOTO_VERSION
            + " so that moto_server is on PATH: pip install 'moto[server]=="
            + MOTO_VERSION
            + "'"
            + hints
            + "; or set "
            + ENDPOINT_VARIABLE
            + "=http://host:port to an emulator that is already running.");
  }

  private boolean createVenv(List<String> tried) {
    Optional<Path> python = findOnPath("python3");
    if (python.isEmpty()) {
      tried.add("no python3 for a project-local .venv");
      return false;
    }
    Path venv = projectDir.resolve(".venv");
    log.info("creating {} with moto[server]=={} (one time)", venv, MOTO_VERSION);
    try {
      run(List.of(python.get().toString(), "-m", "venv", venv.toString()), Duration.ofMinutes(2));
      run(
          List.of(
              venv.resolve("bin/pip").toString(),
              "install",
              "--quiet",
              "--disable-pip-version-check",
              "moto[server]==" + MOTO_VERSION),
          Duration.ofMinutes(5));
      if (Files.isExecutable(venv.resolve("bin/moto_server"))) {
        return true;
      }
      tried.add("pip install into .venv did not produce moto_server");
    } catch (IOException e) {
      tried.add("cannot create .venv with moto: " + e.getMessage());
    }
    return false;
  }

  private static void run(List<String> command, Duration timeout) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " timed out");
      }
      if (p.exitValue() != 0) {
        String last = output.lines().reduce((a, b) -> b).orElse("");
        throw new IOException(command.get(0) + " exited " + p.exitValue() + ": " + last);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    }
  }

  private Emulator startProcess(Path executable, String description) {
    int port = freePort();
    try {
      Path logFile = Files.createTempFile("moto-", ".log");
      Process process =
          new ProcessBuilder(executable.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
              .redirectErrorStream(true)
              .redirectOutput(logFile.toFile())
              .start();
      URI endpoint = URI.create("http://127.0.0.1:" + port);
      Instant deadline = Instant.now().plus(START_TIMEOUT);
      while (Instant.now().isBefore(deadline)) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              description
                  + " exited at start (code "
                  + process.exitValue()
                  + "): "
                  + tail(logFile));
        }
        if (waitUntilUp(endpoint, Duration.ofMillis(100))) {
          log.debug("{} listening on {}", description, endpoint);
          return new MotoProcess(process, endpoint, description, logFile);
        }
        Thread.sleep(100);
      }
      process.destroyForcibly();
      throw new IllegalStateException(
          description
              + " did not answer within "
              + START_TIMEOUT.toSeconds()
              + " s: "
              + tail(logFile));
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + description + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting " + description, e);
    }
  }

  static boolean waitUntilUp(URI endpoint, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    do {
      try {
        HttpResponse<Void> r =
            HTTP.send(
                HttpRequest.newBuilder(endpoint.resolve("/moto-api/"))
                    .timeout(Duration.ofSeconds(2))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() < 500) {
          return true;
        }
      } catch (IOException e) {
        // not up yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    } while (Instant.now().isBefore(deadline));
    return false;
  }

  /** Clears a moto's state: POST /moto-api/reset. */
  public static void reset(URI endpoint) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(endpoint.resolve("/moto-api/reset"))
                  .timeout(Duration.ofSeconds(30))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() >= 300) {
        throw new IllegalStateException("moto reset answered " + r.statusCode() + ": " + r.body());
      }
    } catch (IOException e) {
      throw new IllegalStateException("moto reset failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during moto reset", e);
    }
  }

  private static String tail(Path logFile) {
    try {
      List<String> lines = Files.readAllLines(logFile);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private Optional<Path> findOnPath(String name) {
    String path = environment.getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isBlank()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on loopback", e);
    }
  }

  /** The nearest directory upward holding mvnw (the project root), else {@code start}. */
  static Path findProjectDir(Path start) {
    for (Path p = start; p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("mvnw")) && Files.exists(p.resolve("pom.xml"))) {
        return p;
      }
    }
    return start;
  }

  /** A moto_server process this launcher started. */
  private static final class MotoProcess implements Emulator {
    private final Process process;
    private final URI endpoint;
    private final String description;
    private final Path logFile;

    MotoProcess(Process process, URI endpoint, String description, Path logFile) {
      this.process = process;
      this.endpoint = endpoint;
      this.description = description;
      this.logFile = logFile;
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
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
      try {
        Files.deleteIfExists(logFile);
      } catch (IOException e) {
        // a temp file; the OS cleans up
      }
    }
  }

  /** An emulator someone else runs: never stopped by us. */
  private record External(URI endpoint) implements Emulator {
    @Override
    public String description() {
      return "emulator at " + endpoint + " (" + ENDPOINT_VARIABLE + ")";
    }

    @Override
    public void close() {}
  }
}
