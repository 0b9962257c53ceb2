package io.amifleet.ledger;

import io.amifleet.common.ledger.RunRecorder.DispatchedJob;
import io.amifleet.common.message.JobStatus;
import io.amifleet.common.message.ResultMessage;
import java.time.Instant;

/** Results and dispatched jobs for the ledger's tests. */
public final class Results {
  public static final Instant T0 = Instant.parse("2026-12-01T02:00:00Z");

  private Results() {}

  public static DispatchedJob job(String jobId, String account, String region, String instance) {
    return new DispatchedJob(jobId, account, region, instance, "image");
  }

  public static ResultMessage.Builder of(DispatchedJob job) {
    return ResultMessage.builder()
        .jobId(job.jobId())
        .runId("nightly-1")
        .accountId(job.accountId())
        .region(job.region())
        .instanceId(job.instanceId())
        .attempt(1)
        .startedAt(T0);
  }

  public static ResultMessage succeeded(DispatchedJob job, int seconds, boolean adopted) {
    return of(job)
        .imageId("ami-" + job.instanceId().substring(2))
        .adopted(adopted)
        .succeeded(T0.plusSeconds(seconds));
  }

  public static ResultMessage failed(DispatchedJob job, int seconds, String code) {
    return of(job)
        .unsuccessful(JobStatus.FAILED, code, "it failed: " + code, T0.plusSeconds(seconds));
  }
}
