package io.amifleet.cli.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The README's CLI reference is tested against the picocli model: each command's row shows the
 * synopsis the model gives (every flag the command takes but the common ones, required ones without
 * brackets), the table has a row for every command and none for a command that does not exist, and
 * the common flags it describes once exist everywhere. When a flag is added or renamed, this fails
 * with the synopsis to paste.
 */
class CliReferenceTest {
  private static final String README = CommandModel.read("README.md");

  private static String reference() {
    int start = README.indexOf("\n## CLI reference");
    assertThat(start).as("README has a '## CLI reference' section").isPositive();
    int end = README.indexOf("\n## ", start + 1);
    return README.substring(start, end < 0 ? README.length() : end);
  }

  /** The first cell of each row of the reference's command table. */
  private static List<String> rows() {
    List<String> rows = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^\\| `(amifleet [^`]*)` \\|").matcher(reference());
    while (m.find()) {
      rows.add(m.group(1).replace("\\|", "|"));
    }
    return rows;
  }

  @Test
  void everyCommandsRowShowsTheSynopsisOfTheModel() {
    List<String> expected = CommandModel.documented().stream().map(CommandModel::synopsis).toList();
    assertThat(rows())
        .as(
            "README CLI reference rows; expected (with | written \\| in the table):%n%s",
            expected.stream().map(s -> "| `" + s + "` |").collect(Collectors.joining("\n")))
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void theCommonFlagsAreDescribedOnceAndEveryAwsCommandHasThem() {
    for (String flag : CommandModel.COMMON) {
      assertThat(reference()).as(flag).contains("`" + flag);
    }
    for (CommandLine c : CommandModel.documented()) {
      if (CommandModel.path(c).equals("completion")) {
        continue;
      }
      Set<String> names =
          c.getCommandSpec().options().stream()
              .flatMap(o -> List.of(o.names()).stream())
              .collect(Collectors.toSet());
      assertThat(names).as(CommandModel.path(c)).contains("--help", "-h", "--version");
      // The demo and the emulator start their own local AWS; no hub region or endpoint to choose.
      if (!Set.of("demo", "emulator start").contains(CommandModel.path(c))) {
        assertThat(names).as(CommandModel.path(c)).contains("--region", "--endpoint-url");
      }
    }
  }

  @Test
  void theOutputContractIsDocumentedPerCommand() {
    String ref = reference();
    assertThat(ref).contains("JSON Lines").contains("one document");
  }
}
