package io.amifleet.cli.docs;

import io.amifleet.cli.CliContext;
import io.amifleet.cli.Main;
import io.amifleet.common.config.Environment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * amifleet's picocli model as the documentation tests see it: every command, the synopsis the
 * README's CLI reference must show for it, and the repository's documents. Stateless.
 */
final class CommandModel {
  /** Options every AWS command has, described once in the README instead of in every synopsis. */
  static final Set<String> COMMON = Set.of("--help", "--version", "--region", "--endpoint-url");

  private CommandModel() {}

  static CommandLine root() {
    PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    return Main.commandLine(
        new CliContext(Environment.of(Map.of()), sink, sink, false, s -> s, List.of()));
  }

  /** Every command and group below the root, depth first, hidden ones and "help" included. */
  static List<CommandLine> all() {
    List<CommandLine> out = new ArrayList<>();
    collect(root(), out);
    out.remove(0);
    return out;
  }

  /** The commands a user is shown: not hidden, not "help", leaves only (no group). */
  static List<CommandLine> documented() {
    return all().stream()
        .filter(c -> !c.getCommandSpec().usageMessage().hidden())
        .filter(c -> !c.getCommandName().equals("help"))
        .filter(c -> c.getSubcommands().isEmpty())
        .toList();
  }

  private static void collect(CommandLine c, List<CommandLine> out) {
    out.add(c);
    c.getSubcommands().values().stream().distinct().forEach(sub -> collect(sub, out));
  }

  /** "dlq replay" for {@code amifleet dlq replay}. */
  static String path(CommandLine c) {
    return c.getCommandSpec().qualifiedName().substring("amifleet ".length());
  }

  /**
   * {@code amifleet NAME} and each visible option but the common ones ({@link #rank} order, then
   * declaration order): {@code --targets FILE} when required, else {@code [--dry-run]}, {@code
   * [-o|--output table|json]}, {@code [--allow-account ID,...]}.
   */
  static String synopsis(CommandLine c) {
    CommandSpec spec = c.getCommandSpec();
    StringBuilder b = new StringBuilder("amifleet ").append(path(c));
    List<OptionSpec> options = new ArrayList<>(spec.options());
    options.sort((x, y) -> Integer.compare(rank(x), rank(y)));
    for (OptionSpec o : options) {
      if (o.hidden() || COMMON.contains(o.longestName())) {
        continue;
      }
      StringBuilder one = new StringBuilder(String.join("|", shortFirst(o.names())));
      if (o.arity().max() > 0) {
        one.append(' ').append(o.paramLabel());
        if (!o.splitRegex().isEmpty()) {
          one.append(",...");
        }
      }
      b.append(' ').append(o.required() ? one : "[" + one + "]");
    }
    return b.toString();
  }

  /** Targets first, then the command's own flags, then queues, then the output format. */
  private static int rank(OptionSpec o) {
    return switch (o.longestName()) {
      case "--targets" -> 0;
      case "--queue-prefix", "--jobs-queue", "--results-queue", "--dlq" -> 2;
      case "--output" -> 3;
      default -> 1;
    };
  }

  private static List<String> shortFirst(String[] names) {
    List<String> sorted = new ArrayList<>(List.of(names));
    sorted.sort((x, y) -> Integer.compare(x.length(), y.length()));
    return sorted;
  }

  /** The repository root (where README.md is), from the module directory the tests run in. */
  static Path repository() {
    Path dir = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("README.md")) && Files.isDirectory(p.resolve("docs"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find the repository root above " + dir);
  }

  static String read(String relative) {
    try {
      return Files.readString(repository().resolve(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
