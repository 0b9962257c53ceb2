package io.amifleet.common.log;

import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.common.message.WorkItem;
import org.slf4j.MDC;

/**
 * Puts a job's identity in the logging MDC around one log statement, so that every job line carries
 * {@code jobId}, {@code runId}, {@code accountId}, {@code region} (and {@code instanceId} for an
 * image job) as fields of the JSON log, whichever thread of the async pipeline writes it. Scoped to
 * the statement on purpose: the pipeline's threads serve many jobs, and an MDC left behind would
 * label the next job's lines wrongly. Stateless; thread-safe.
 */
public final class JobMdc {
  public static final String JOB_ID = "jobId";
  public static final String RUN_ID = "runId";
  public static final String ACCOUNT_ID = "accountId";
  public static final String REGION = "region";
  public static final String INSTANCE_ID = "instanceId";

  private JobMdc() {}

  /** Runs {@code logging} with {@code job}'s fields in the MDC; {@code null} job: as is. */
  public static void with(WorkItem job, Runnable logging) {
    if (job == null) {
      logging.run();
      return;
    }
    with(
        job.jobId(),
        job.runId(),
        job.accountId(),
        job.region(),
        job instanceof JobMessage j ? j.instanceId() : null,
        logging);
  }

  /** Runs {@code logging} with the result's job fields in the MDC. */
  public static void with(ResultMessage result, Runnable logging) {
    with(
        result.jobId(),
        result.runId(),
        result.accountId(),
        result.region(),
        result.instanceId(),
        logging);
  }

  /** Runs {@code logging} with an account and region in the MDC (per account+region work). */
  public static void with(String accountId, String region, Runnable logging) {
    with(null, null, accountId, region, null, logging);
  }

  private static void with(
      String jobId,
      String runId,
      String accountId,
      String region,
      String instanceId,
      Runnable logging) {
    try (var a = put(JOB_ID, jobId);
        var b = put(RUN_ID, runId);
        var c = put(ACCOUNT_ID, accountId);
        var d = put(REGION, region);
        var e = put(INSTANCE_ID, instanceId)) {
      logging.run();
    }
  }

  private static MDC.MDCCloseable put(String key, String value) {
    return value == null ? null : MDC.putCloseable(key, value);
  }
}
