package io.amifleet.cli.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged amifleet ({@code target/amifleet.jar}) as a separate process, with an
 * environment the test states exactly: nothing of the test's own AWS_* variables leaks in, and the
 * SDK finds no credentials or config files unless the test gives them. For what only a real process
 * shows: signals, exit codes, environment variables the SDK reads itself (AWS_ENDPOINT_URL).
 */
public final class JarProcess {
  public static final Path JAR = Path.of("target/amifleet.jar");

  private final Map<String, String> env = new HashMap<>();
  private final Path dir;

  /** A process environment without AWS credentials, config files or instance metadata. */
  public JarProcess(Path dir) {
    this.dir = dir;
    assertThat(JAR)
        .as("the packaged jar (built by mvn package before the integration tests)")
        .exists();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("HOME", dir.toString());
    env.put("AWS_CONFIG_FILE", dir.resolve("no-such-aws-config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-such-aws-credentials").toString());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
  }

  public JarProcess env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** The emulator's test credentials and region, as a user's shell would export them. */
  public JarProcess emulatorCredentials() {
    return env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", Cli.REGION);
  }

  /** Starts {@code amifleet args...}; stdout and stderr go to files under the test directory. */
  public Process start(String name, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(javaBin(), "-jar", JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectOutput(dir.resolve(name + ".out").toFile())
            .redirectError(dir.resolve(name + ".err").toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    return pb.start();
  }

  /** Runs {@code amifleet args...} to its end (at most {@code timeout}). */
  public Cli.Result run(Duration timeout, String... args) throws Exception {
    String name = "run-" + System.nanoTime();
    Process p = start(name, args);
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          "amifleet " + String.join(" ", args) + " did not end within " + timeout);
    }
    return new Cli.Result(p.exitValue(), out(name), err(name));
  }

  public String out(String name) throws IOException {
    return Files.readString(dir.resolve(name + ".out"), StandardCharsets.UTF_8);
  }

  public String err(String name) throws IOException {
    return Files.readString(dir.resolve(name + ".err"), StandardCharsets.UTF_8);
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
