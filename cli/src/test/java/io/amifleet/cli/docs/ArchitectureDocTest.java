package io.amifleet.cli.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md names classes and folders of the code to say where things are and where the
 * next ones go: each must exist, so that the walk-through cannot drift from the code.
 */
class ArchitectureDocTest {
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");
  private static final Pattern CLASS =
      Pattern.compile("([A-Z][A-Za-z0-9]+)(\\.[A-Za-z_]+)*(\\(.*)?");
  private static final Pattern FOLDER = Pattern.compile("([a-z]+/)+([A-Z][A-Za-z0-9]+)?");

  @Test
  void everyClassAndFolderTheArchitectureNamesExists() throws IOException {
    Path root = CommandModel.repository();
    // Fenced blocks are diagrams; their backticks would pair up with the text's.
    String doc = CommandModel.read("docs/architecture.md").replaceAll("(?s)```.*?```", "");
    // Every word of the code (classes, nested types, error codes, what it imports).
    Set<String> words = new HashSet<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p :
          files
              .filter(p -> p.toString().contains("/src/"))
              .filter(p -> p.toString().endsWith(".java"))
              .toList()) {
        words.addAll(List.of(Files.readString(p).split("[^A-Za-z0-9_]+")));
      }
    }
    Set<String> missing = new LinkedHashSet<>();
    Matcher m = CODE.matcher(doc);
    int named = 0;
    while (m.find()) {
      String code = m.group(1);
      Matcher c = CLASS.matcher(code);
      if (c.matches() && !code.equals(code.toUpperCase())) {
        named++;
        if (!words.contains(c.group(1))) {
          missing.add(code);
        }
      } else if (FOLDER.matcher(code).matches()) {
        named++;
        String folder = code.replaceAll("/[A-Z][A-Za-z0-9]+$", "");
        if (!folderExists(root, folder)) {
          missing.add(code);
        }
      }
    }
    assertThat(named).as("names checked").isGreaterThan(40);
    assertThat(missing).as("named in docs/architecture.md but not in the code").isEmpty();
  }

  /** {@code worker/step} as a module folder, or a package folder of some module. */
  private static boolean folderExists(Path root, String folder) throws IOException {
    String f = folder.replaceAll("/$", "");
    if (Files.isDirectory(root.resolve(f))) {
      return true;
    }
    int slash = f.indexOf('/');
    String module = slash < 0 ? "" : f.substring(0, slash);
    String rest = f.substring(slash + 1);
    try (Stream<Path> dirs = Files.walk(root)) {
      return dirs.anyMatch(
          d ->
              Files.isDirectory(d)
                  && d.toString().contains("/src/main/java/io/amifleet/")
                  && (d.toString().endsWith("/io/amifleet/" + module + "/" + rest)
                      || d.toString().endsWith("/" + rest)
                          && d.toString().contains(module + "/src/main/")));
    }
  }
}
