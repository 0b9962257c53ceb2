package io.amifleet.ledger.local;

import static io.amifleet.ledger.Results.T0;
import static io.amifleet.ledger.Results.failed;
import static io.amifleet.ledger.Results.job;
import static io.amifleet.ledger.Results.succeeded;
import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.json.Json;
import io.amifleet.common.ledger.RunRecorder.DispatchedJob;
import io.amifleet.common.ledger.RunRecorder.RunOpening;
import io.amifleet.common.message.JobStatus;
import io.amifleet.ledger.LedgerSettings;
import io.amifleet.ledger.RunLedger.Recorded;
import io.amifleet.ledger.model.Completion;
import io.amifleet.ledger.model.Orphan;
import io.amifleet.ledger.model.RunView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRunLedgerTest {
  @TempDir Path dir;
  private FileRunLedger ledger;
  private final DispatchedJob a = job("j-a", "111111111111", "us-east-1", "i-0a");
  private final DispatchedJob b = job("j-b", "111111111111", "eu-west-1", "i-0b");

  @BeforeEach
  void setUp() {
    ledger =
        new FileRunLedger(
            new LedgerSettings(Optional.empty(), dir, Duration.ofHours(12), Duration.ofDays(90)),
            Json.newMapper(),
            Clock.fixed(T0, ZoneOffset.UTC));
    ledger.opened(new RunOpening("nightly-1", "targets.yaml", T0));
    ledger.dispatched("nightly-1", List.of(a, b));
  }

  @Test
  void redeliveredResultChangesNothingAndLaterSuccessReplacesFailure() {
    assertThat(ledger.record(failed(a, 10, "IncorrectInstanceState"))).isEqualTo(Recorded.NEW);
    assertThat(ledger.record(failed(a, 10, "IncorrectInstanceState")))
        .isEqualTo(Recorded.UNCHANGED);
    assertThat(ledger.record(succeeded(a, 90, false))).isEqualTo(Recorded.REPLACED);
    assertThat(ledger.record(failed(a, 120, "Late")))
        .as("a failure never replaces a success")
        .isEqualTo(Recorded.UNCHANGED);

    RunView view = ledger.run("nightly-1").orElseThrow();
    assertThat(view.jobs()).hasSize(2);
    assertThat(view.counts().succeeded()).isEqualTo(1);
    assertThat(view.counts().missing()).isEqualTo(1);
    assertThat(
            view.jobs().stream()
                .filter(j -> j.jobId().equals("j-a"))
                .findFirst()
                .orElseThrow()
                .result()
                .status())
        .isEqualTo(JobStatus.SUCCEEDED);
  }

  @Test
  void recordAllDecidesEachResultAsOneByOneWould() throws Exception {
    var other = io.amifleet.ledger.Results.of(a).runId("nigth-4").succeeded(T0);
    List<Recorded> outcomes =
        ledger.recordAll(
            List.of(
                failed(a, 10, "IncorrectInstanceState"),
                failed(a, 10, "IncorrectInstanceState"),
                succeeded(a, 90, false),
                other,
                failed(a, 120, "Late"),
                succeeded(b, 30, false)));

    assertThat(outcomes)
        .containsExactly(
            Recorded.NEW,
            Recorded.UNCHANGED,
            Recorded.REPLACED,
            Recorded.UNKNOWN_RUN,
            Recorded.UNCHANGED,
            Recorded.NEW);
    RunView view = ledger.run("nightly-1").orElseThrow();
    assertThat(view.counts().succeeded()).isEqualTo(2);
    assertThat(view.counts().missing()).isZero();
    assertThat(ledger.run("nigth-4")).isEmpty();

    // Nothing new: the file is not written again.
    Path file;
    try (var files = Files.walk(dir)) {
      file =
          files
              .filter(f -> f.toString().endsWith("nightly-1/ledger.json"))
              .findFirst()
              .orElseThrow();
    }
    FileTime before = Files.getLastModifiedTime(file);
    Files.setLastModifiedTime(file, FileTime.fromMillis(0));
    assertThat(ledger.recordAll(List.of(succeeded(a, 90, false), succeeded(b, 30, false))))
        .containsOnly(Recorded.UNCHANGED);
    assertThat(Files.getLastModifiedTime(file).toMillis()).isZero();
    assertThat(before.toMillis()).isPositive();
  }

  @Test
  void resultOfUnknownRunIsNotRecorded() {
    var other = io.amifleet.ledger.Results.of(a).runId("nigth-4").succeeded(T0);
    assertThat(ledger.record(other)).isEqualTo(Recorded.UNKNOWN_RUN);
    assertThat(ledger.run("nigth-4")).isEmpty();
  }

  @Test
  void runIsCompletedOnce() {
    var c =
        new Completion(
            T0,
            Completion.Reason.ALL_FINISHED,
            ledger.run("nightly-1").orElseThrow().counts(),
            List.of(),
            "x");
    assertThat(ledger.complete("nightly-1", c)).isTrue();
    assertThat(ledger.complete("nightly-1", c)).isFalse();
    assertThat(ledger.runs(Instant.EPOCH)).singleElement().matches(r -> r.completed());
  }

  @Test
  void orphanIsKeptOncePerMessage() {
    ledger.orphan(new Orphan("m-1", T0, "not JSON: x", null, "garbage"));
    ledger.orphan(new Orphan("m-1", T0, "not JSON: x", null, "garbage"));
    assertThat(ledger.orphans(Instant.EPOCH)).hasSize(1);
  }
}
