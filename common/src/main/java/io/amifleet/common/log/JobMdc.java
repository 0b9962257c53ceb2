package io.amifleet.common.log;

import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.common.message.WorkItem;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
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
    call(
        job,
        () -> {
          logging.run();
          return null;
        });
  }

  /**
   * Calls {@code call} with {@code job}'s fields in the MDC ({@code null} job: as is) and returns
   * what it returns: a step of a job's pipeline, whose own log lines then carry the job's fields.
   */
  public static <T> T call(WorkItem job, Supplier<T> call) {
    if (job == null) {
      return call.get();
    }
    return call(
        job.jobId(),
        job.runId(),
        job.accountId(),
        job.region(),
        job instanceof JobMessage j ? j.instanceId() : null,
        call);
  }

  /** Runs {@code logging} with the result's job fields in the MDC. */
  public static void with(ResultMessage result, Runnable logging) {
    run(
        result.jobId(),
        result.runId(),
        result.accountId(),
        result.region(),
        result.instanceId(),
        logging);
  }

  /** Runs {@code logging} with an account and region in the MDC (per account+region work). */
  public static void with(String accountId, String region, Runnable logging) {
    run(null, null, accountId, region, null, logging);
  }

  private static void run(
      String jobId,
      String runId,
      String accountId,
      String region,
      String instanceId,
      Runnable logging) {
    call(
        jobId,
        runId,
        accountId,
        region,
        instanceId,
        () -> {
          logging.run();
          return null;
        });
  }

  private static <T> T call(
      String jobId,
      String runId,
      String accountId,
      String region,
      String instanceId,
      Supplier<T> call) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(JOB_ID, jobId);
    fields.put(RUN_ID, runId);
    fields.put(ACCOUNT_ID, accountId);
    fields.put(REGION, region);
    fields.put(INSTANCE_ID, instanceId);
    fields.values().removeIf(Objects::isNull);
    fields.forEach(MDC::put);
    try {
      return call.get();
    } finally {
      fields.keySet().forEach(MDC::remove);
    }
  }
}
