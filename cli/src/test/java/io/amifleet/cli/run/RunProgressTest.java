package io.amifleet.cli.run;

import static io.amifleet.cli.testing.TestResults.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.message.JobIds;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.JobStatus;
import io.amifleet.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RunProgressTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T02:00:00Z"));
  private final RunProgress progress = new RunProgress(clock);

  private static String jobId(String instanceId) {
    return JobIds.jobId("run-1", "111111111111", "us-east-1", instanceId);
  }

  private static JobMessage job(String instanceId) {
    return JobMessage.of(
        jobId(instanceId),
        "run-1",
        "111111111111",
        "us-east-1",
        "arn:aws:iam::111111111111:role/AmiFleetCreator",
        null,
        instanceId,
        "web-" + instanceId,
        false,
        Map.of(),
        false,
        Instant.parse("2026-11-28T01:59:00Z"));
  }

  @Test
  void eachJobIsCountedOnce() {
    assertThat(progress.record(result("job-1", JobStatus.FAILED))).isTrue();
    assertThat(progress.record(result("job-1", JobStatus.FAILED))).isFalse();
    progress.jobFinished(result("job-2", JobStatus.SUCCEEDED));
    progress.jobFinished(result("job-2", JobStatus.SUCCEEDED));

    RunProgress.Snapshot s = progress.snapshot();
    assertThat(s.done()).isEqualTo(2);
    assertThat(s.failed()).isEqualTo(1);
    assertThat(s.succeeded()).isEqualTo(1);
    assertThat(progress.results()).hasSize(2);
  }

  @Test
  void laterSuccessReplacesAFailure() {
    progress.record(result("job-1", JobStatus.FAILED));

    assertThat(progress.record(result("job-1", JobStatus.SUCCEEDED))).isTrue();

    RunProgress.Snapshot s = progress.snapshot();
    assertThat(s.done()).isEqualTo(1);
    assertThat(s.succeeded()).isEqualTo(1);
    assertThat(s.failed()).isZero();
    assertThat(progress.results())
        .singleElement()
        .extracting(r -> r.status())
        .isEqualTo(JobStatus.SUCCEEDED);
  }

  @Test
  void laterFailureDoesNotReplaceASuccess() {
    progress.record(result("job-1", JobStatus.SUCCEEDED));

    assertThat(progress.record(result("job-1", JobStatus.TIMED_OUT))).isFalse();

    assertThat(progress.snapshot().succeeded()).isEqualTo(1);
    assertThat(progress.snapshot().timedOut()).isZero();
  }

  @Test
  void snapshotCountsEachStatusAndWaitingImages() {
    progress.expect(5);
    progress.imageRequested(job("i-00000001"), "ami-1", false);
    progress.imageRequested(job("i-00000002"), "ami-2", true);
    progress.imageRequested(job("i-00000003"), "ami-3", false);
    progress.jobRetrying(
        job("i-00000003"),
        new AmiFleetException(ErrorKind.RETRYABLE, "RequestLimitExceeded", "throttled"),
        Duration.ofSeconds(10));
    progress.record(result(jobId("i-00000001"), JobStatus.TIMED_OUT));
    clock.advance(Duration.ofSeconds(20));

    RunProgress.Snapshot s = progress.snapshot();

    assertThat(s).isEqualTo(new RunProgress.Snapshot(5, 1, 0, 0, 1, 1, Duration.ofSeconds(20)));
    assertThat(s.ratePerSecond()).isEqualTo(0.05);
  }

  @Test
  void awaitAllForIsFalseUntilEveryExpectedJobHasAResult() throws Exception {
    progress.expect(2);
    progress.record(result("job-1", JobStatus.SUCCEEDED));

    assertThat(progress.awaitAllFor(Duration.ofMillis(30))).isFalse();

    progress.record(result("job-1", JobStatus.FAILED));
    assertThat(progress.awaitAllFor(Duration.ofMillis(30))).as("the same job again").isFalse();
  }

  @Test
  void awaitAllForReturnsOnceTheLastResultArrives() throws Exception {
    progress.expect(2);
    progress.record(result("job-1", JobStatus.SUCCEEDED));
    CompletableFuture<Void> last =
        CompletableFuture.runAsync(
            () -> progress.jobFinished(result("job-2", JobStatus.FAILED)),
            CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS));

    long t0 = System.nanoTime();
    boolean all = progress.awaitAllFor(Duration.ofSeconds(10));
    long tookMs = (System.nanoTime() - t0) / 1_000_000;

    assertThat(all).isTrue();
    assertThat(tookMs).isLessThan(5_000);
    last.join();
  }

  @Test
  void awaitAllForIsTrueAtOnceWhenEverythingIsIn() throws Exception {
    progress.expect(1);
    progress.record(result("job-1", JobStatus.TIMED_OUT));

    assertThat(progress.awaitAllFor(Duration.ZERO)).isTrue();
  }
}
