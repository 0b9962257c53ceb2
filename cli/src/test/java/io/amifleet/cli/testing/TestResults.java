package io.amifleet.cli.testing;

import io.amifleet.common.message.JobStatus;
import io.amifleet.common.message.ResultMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Result messages for unit tests of what the CLI prints. */
public final class TestResults {
  public static final Instant STARTED = Instant.parse("2026-11-28T02:00:00Z");

  private TestResults() {}

  public static ResultMessage result(String jobId, JobStatus status) {
    return result(
        jobId, "111111111111", "us-east-1", "i-0123456789abcdef0", status, Duration.ofSeconds(95));
  }

  public static ResultMessage result(
      String jobId,
      String accountId,
      String region,
      String instanceId,
      JobStatus status,
      Duration took) {
    boolean ok = status == JobStatus.SUCCEEDED;
    ResultMessage.Builder r =
        ResultMessage.builder()
            .jobId(jobId)
            .runId("run-1")
            .accountId(accountId)
            .region(region)
            .instanceId(instanceId)
            .imageId("ami-0123456789abcdef0")
            .imageName("web-1-2026-11-28-" + jobId)
            .snapshotIds(ok ? List.of("snap-1") : List.of())
            .adopted(false)
            .attempt(1)
            .startedAt(STARTED);
    return ok
        ? r.succeeded(STARTED.plus(took))
        : r.unsuccessful(
            status,
            status == JobStatus.TIMED_OUT ? "ImageTimedOut" : "ImageFailed",
            "image ami-0123456789abcdef0 is failed",
            STARTED.plus(took));
  }
}
