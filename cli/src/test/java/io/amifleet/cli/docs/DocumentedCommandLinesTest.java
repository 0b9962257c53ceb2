package io.amifleet.cli.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every amifleet command line in the README's and the deployment guide's {@code sh} blocks is
 * parsed by the picocli model: its command exists, every flag exists on that command and has its
 * value. Optional parts written {@code [--flag V]} are parsed as if given; {@code <placeholders>}
 * stand for a value. So the docs cannot name a flag that is gone or misspelt.
 */
class DocumentedCommandLinesTest {
  private static final List<String> DOCUMENTS = List.of("README.md", "docs/deploying.md");
  private static final Pattern SH_BLOCK = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL);

  /** One documented command line and where it is. */
  record Documented(String where, String line) {
    @Override
    public String toString() {
      return where + ": " + line;
    }
  }

  static Stream<Documented> commandLines() {
    List<Documented> found = new ArrayList<>();
    for (String document : DOCUMENTS) {
      Matcher block = SH_BLOCK.matcher(CommandModel.read(document));
      while (block.find()) {
        String joined = block.group(1).replace("\\\n", " ");
        for (String line : joined.split("\n")) {
          String command = amifleetPart(line);
          if (command != null) {
            found.add(new Documented(document, command));
          }
        }
      }
    }
    return found.stream();
  }

  /**
   * The arguments of a shell line that runs amifleet ({@code amifleet}, {@code ./amifleet}, after
   * {@code VAR=value} assignments), without its comment or pipe; null for other lines.
   */
  static String amifleetPart(String line) {
    String l = line.replaceAll("\\s+#.*$", "").strip();
    Matcher m =
        Pattern.compile("^(?:[A-Z_][A-Z0-9_]*=\\S*\\s+)*(?:\\S*/)?amifleet(?:\\s+(.*))?$")
            .matcher(l);
    if (!m.matches() || m.group(1) == null) {
      return null;
    }
    String rest = m.group(1);
    int pipe = rest.indexOf(" | ");
    return pipe < 0 ? rest : rest.substring(0, pipe);
  }

  /** The words of a documented line: optional parts as given, placeholders as a number. */
  static String[] arguments(String command) {
    String plain = command.replace("[", " ").replace("]", " ").replaceAll("<[^>]*>", "1");
    return Stream.of(plain.strip().split("\\s+"))
        .filter(t -> !t.isEmpty())
        .map(t -> t.equals("N") ? "1" : t)
        .toArray(String[]::new);
  }

  @Test
  void theDocumentsHaveCommandLinesToCheck() {
    assertThat(commandLines().map(Documented::where)).contains(DOCUMENTS.toArray(String[]::new));
    assertThat(commandLines().count()).isGreaterThan(10);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commandLines")
  void everyDocumentedCommandLineParses(Documented documented) {
    CommandLine root = CommandModel.root();
    String[] args = arguments(documented.line());
    try {
      CommandLine.ParseResult parsed = root.parseArgs(args);
      assertThat(parsed.hasSubcommand()).as(documented + ": names a command").isTrue();
    } catch (CommandLine.ParameterException e) {
      throw new AssertionError(documented + ": " + e.getMessage(), e);
    }
  }
}
