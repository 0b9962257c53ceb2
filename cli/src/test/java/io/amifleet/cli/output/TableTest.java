package io.amifleet.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TableTest {
  private static String print(Table table) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      table.print(out);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void columnsAreAsWideAsTheirWidestCellPlusTwoSpaces() {
    Table table =
        new Table("ACCOUNT", "REGION", "STATUS")
            .row("111111111111", "us-east-1", "SUCCEEDED")
            .row("web", "eu-west-1", "FAILED");

    assertThat(print(table).lines())
        .containsExactly(
            "ACCOUNT       REGION     STATUS",
            "111111111111  us-east-1  SUCCEEDED",
            "web           eu-west-1  FAILED");
  }

  @Test
  void headerWiderThanItsCellsSetsTheWidth() {
    Table table = new Table("INSTANCE", "X").row("i-1", "a").row("i-22", "b");

    assertThat(print(table).lines()).containsExactly("INSTANCE  X", "i-1       a", "i-22      b");
  }

  @Test
  void missingValuesShowAsADashAndLinesHaveNoTrailingSpaces() {
    Table table = new Table("IMAGE", "ERROR").row("ami-1", null).row(null, "");

    assertThat(print(table).lines()).containsExactly("IMAGE  ERROR", "ami-1  -", "-");
  }

  @Test
  void emptyTableSaysSoAndPrintsItsHeader() {
    Table table = new Table("A", "B");

    assertThat(table.isEmpty()).isTrue();
    assertThat(print(table).lines()).containsExactly("A  B");
    assertThat(table.row("x", "y").isEmpty()).isFalse();
  }
}
