package io.amifleet.cli.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * What amifleet's own messages tell the user to do must be possible: every repository file a
 * message names ({@code infra/...}, {@code docs/...}) exists, and every {@code 'amifleet ...'}
 * command it suggests parses. Read from the main sources of every module, with string
 * concatenations joined.
 */
class SuggestedFixesTest {
  private static final Pattern PATH = Pattern.compile("\\b((?:infra|docs)/[A-Za-z0-9_./-]*\\w)");
  private static final Pattern COMMAND = Pattern.compile("'amifleet ([^']+)'");

  /** The text of every main Java source, adjacent string literals joined. */
  private static List<String> sources() {
    List<String> texts = new ArrayList<>();
    try (Stream<Path> files = Files.walk(CommandModel.repository())) {
      for (Path f :
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(p -> p.toString().contains("/src/main/java/"))
              .toList()) {
        texts.add(Files.readString(f).replaceAll("\"\\s*\\+\\s*\"", ""));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return texts;
  }

  @Test
  void everyFileAMessageNamesExists() {
    List<String> named = new ArrayList<>();
    for (String source : sources()) {
      Matcher m = PATH.matcher(source);
      while (m.find()) {
        named.add(m.group(1));
      }
    }
    assertThat(named).contains("infra/cloudformation/hub-stack.yaml", "docs/deploying.md");
    for (String path : named) {
      assertThat(CommandModel.repository().resolve(path)).as("named in a message").exists();
    }
  }

  @Test
  void everyCommandAMessageSuggestsParses() {
    List<String> suggested = new ArrayList<>();
    for (String source : sources()) {
      Matcher m = COMMAND.matcher(source);
      while (m.find()) {
        suggested.add(m.group(1));
      }
    }
    assertThat(suggested).anyMatch(c -> c.startsWith("queues create"));
    for (String command : suggested) {
      try {
        CommandModel.root().parseArgs(DocumentedCommandLinesTest.arguments(command));
      } catch (CommandLine.ParameterException e) {
        throw new AssertionError("'amifleet " + command + "': " + e.getMessage(), e);
      }
    }
  }
}
