package io.amifleet.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs {@code cfn-lint} (AWS's CloudFormation linter: resource schemas, property types, intrinsic
 * use, best practices) over every template and requires it to report nothing, neither errors nor
 * warnings. Fails, never skips, when cfn-lint is not installed.
 */
class CfnLintIT {
  private static final String INSTALL =
      "cfn-lint is not on PATH; install it with 'pip install cfn-lint' (tested with 1.51.0)";

  static Stream<Path> templates() {
    return Templates.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("templates")
  void templateHasNoLintFindings(Path template) throws Exception {
    List<String> command = new ArrayList<>(List.of("cfn-lint", "--format", "parseable", "--"));
    command.add(template.toString());
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      fail(INSTALL + " (" + e.getMessage() + ")");
      return;
    }
    String output;
    try (InputStream out = process.getInputStream()) {
      output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      fail("cfn-lint did not finish within 2 minutes on " + template);
    }
    assertThat(output).as("cfn-lint findings for %s", template.getFileName()).isBlank();
    assertThat(process.exitValue()).as("cfn-lint exit code (%s)", output).isZero();
  }
}
