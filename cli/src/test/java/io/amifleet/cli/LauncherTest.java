package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./amifleet} launcher's rebuild rule, on a copy of it in a scratch tree whose jar is
 * older than a main source (and that has no Maven wrapper, so a build it attempts fails at once).
 */
class LauncherTest {
  private static final Path LAUNCHER = Path.of("..", "amifleet");

  @TempDir Path root;

  private record Result(int exit, String stderr) {}

  /** The launcher, a jar a minute old, and a main source newer than it. */
  @BeforeEach
  void staleTree() throws IOException {
    Files.copy(LAUNCHER, root.resolve("amifleet"));
    Path jar = root.resolve("cli/target/amifleet.jar");
    Files.createDirectories(root.resolve("cli/target/lib"));
    Files.writeString(jar, "not a jar");
    Path source = root.resolve("worker/src/main/java/A.java");
    Files.createDirectories(source.getParent());
    Files.writeString(source, "class A {}");
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
  }

  private Result launch(Map<String, String> env) throws Exception {
    Path launcher = root.resolve("amifleet");
    ProcessBuilder pb =
        new ProcessBuilder("bash", launcher.toString(), "--version")
            .redirectOutput(root.resolve("out").toFile())
            .redirectError(root.resolve("err").toFile());
    pb.environment().remove("AMIFLEET_BUILD");
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the launcher ends").isTrue();
    return new Result(p.exitValue(), read(root.resolve("err")));
  }

  private static String read(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }

  @Test
  void staleSourcesAreBuiltFirstByDefault() throws Exception {
    Result r = launch(Map.of());
    assertThat(r.stderr()).contains("building with the Maven wrapper");
  }

  @Test
  void aBuildThatLeavesTheJarAsItWasIsNotRepeated() throws Exception {
    // A wrapper that succeeds without touching the jar, as Maven's jar plugin does when no class
    // changed (a pom edit alone).
    Path mvnw = root.resolve("mvnw");
    Files.writeString(mvnw, "#!/usr/bin/env bash\necho built >> \"$(dirname \"$0\")/builds\"\n");
    mvnw.toFile().setExecutable(true);

    launch(Map.of());
    Result again = launch(Map.of());

    assertThat(read(root.resolve("builds")).lines()).hasSize(1);
    assertThat(again.stderr()).doesNotContain("building with the Maven wrapper");
  }

  @Test
  void withBuildNeverStaleSourcesAreRefusedNotBuilt() throws Exception {
    Result r = launch(Map.of("AMIFLEET_BUILD", "never"));
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.stderr())
        .contains("sources changed since cli/target/amifleet.jar was built")
        .contains("AMIFLEET_BUILD=never")
        .doesNotContain("building with the Maven wrapper");
    assertThat(read(root.resolve("cli/target/amifleet.jar"))).isEqualTo("not a jar");
  }
}
