package io.amifleet.cli.output;

import static io.amifleet.cli.testing.TestResults.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.message.CopyResult;
import io.amifleet.common.message.JobStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ResultsTableTest {
  private Locale original;

  /** The expected texts are written with a decimal point. */
  @BeforeEach
  void pinLocale() {
    original = Locale.getDefault();
    Locale.setDefault(Locale.US);
  }

  @AfterEach
  void restoreLocale() {
    Locale.setDefault(original);
  }

  @Test
  void totalsCountEachStatus() {
    assertThat(
            ResultsTable.totals(
                List.of(
                    result("a", JobStatus.SUCCEEDED),
                    result("b", JobStatus.SUCCEEDED),
                    result("c", JobStatus.FAILED),
                    result("d", JobStatus.TIMED_OUT),
                    result("e", JobStatus.SUCCEEDED))))
        .isEqualTo("5 result(s): 3 succeeded, 1 failed, 1 timed out");
  }

  @Test
  void totalsOfNothing() {
    assertThat(ResultsTable.totals(List.of()))
        .isEqualTo("0 result(s): 0 succeeded, 0 failed, 0 timed out");
  }

  @Test
  void tableIsSortedByAccountRegionAndInstanceAndEndsWithTheTotals() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      ResultsTable.print(
          List.of(
              result(
                  "b",
                  "222222222222",
                  "us-east-1",
                  "i-00000001",
                  JobStatus.FAILED,
                  Duration.ofSeconds(5)),
              result(
                  "a",
                  "111111111111",
                  "us-east-1",
                  "i-00000002",
                  JobStatus.SUCCEEDED,
                  Duration.ofSeconds(95)),
              result(
                  "c",
                  "111111111111",
                  "eu-west-1",
                  "i-00000003",
                  JobStatus.TIMED_OUT,
                  Duration.ofHours(4))),
          out);
    }

    assertThat(bytes.toString(StandardCharsets.UTF_8).lines())
        .containsExactly(
            "ACCOUNT       REGION     INSTANCE    IMAGE                  STATUS     DURATION  ERROR",
            "111111111111  eu-west-1  i-00000003  ami-0123456789abcdef0  TIMED_OUT  4h00m     ImageTimedOut: image ami-0123456789abcdef0 is failed",
            "111111111111  us-east-1  i-00000002  ami-0123456789abcdef0  SUCCEEDED  1m35s     -",
            "222222222222  us-east-1  i-00000001  ami-0123456789abcdef0  FAILED     5.0s      ImageFailed: image ami-0123456789abcdef0 is failed",
            "3 result(s): 1 succeeded, 1 failed, 1 timed out");
  }

  @Test
  void noResultsPrintOnlyTheTotals() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      ResultsTable.print(List.of(), out);
    }

    assertThat(bytes.toString(StandardCharsets.UTF_8).lines())
        .containsExactly("0 result(s): 0 succeeded, 0 failed, 0 timed out");
  }

  @Test
  void eachCopyOfAnImageGetsARowInTheCopiesTable() {
    var withCopies =
        result(
                "a",
                "111111111111",
                "us-east-1",
                "i-00000002",
                JobStatus.SUCCEEDED,
                Duration.ofSeconds(95))
            .toBuilder()
            .copies(
                List.of(
                    new CopyResult(
                        "111111111111", "eu-west-1", "ami-0aaaaaaaaaaaaaaaa", "available", true),
                    new CopyResult("999999999999", "eu-central-1", null, "not-made", null)))
            .build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      ResultsTable.print(List.of(withCopies), out);
    }

    assertThat(bytes.toString(StandardCharsets.UTF_8).lines())
        .containsSubsequence(
            "ACCOUNT       REGION     INSTANCE    COPY IN       COPY REGION   COPY                   STATE",
            "111111111111  us-east-1  i-00000002  111111111111  eu-west-1     ami-0aaaaaaaaaaaaaaaa  available (adopted)",
            "111111111111  us-east-1  i-00000002  999999999999  eu-central-1  -                      not-made",
            "1 result(s): 1 succeeded, 0 failed, 0 timed out");
  }
}
