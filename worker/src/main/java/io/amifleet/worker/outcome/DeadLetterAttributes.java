package io.amifleet.worker.outcome;

import io.amifleet.common.message.WorkItem;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The message attributes that say why a message is in the dead-letter queue. */
public final class DeadLetterAttributes {
  public static final String ERROR_CODE = "amifleet-error-code";
  public static final String ERROR_MESSAGE = "amifleet-error-message";
  public static final String FAILED_AT = "amifleet-failed-at";
  public static final String RECEIVE_COUNT = "amifleet-receive-count";
  public static final String JOB_ID = "amifleet-job-id";
  public static final String ACCOUNT_ID = "amifleet-account-id";

  private static final int MAX_MESSAGE = 1000;

  private DeadLetterAttributes() {}

  public static Map<String, String> of(
      String errorCode, String errorMessage, Instant failedAt, int receiveCount, WorkItem job) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put(ERROR_CODE, errorCode);
    String message = errorMessage == null || errorMessage.isBlank() ? errorCode : errorMessage;
    a.put(
        ERROR_MESSAGE,
        message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "…" : message);
    a.put(FAILED_AT, failedAt.toString());
    a.put(RECEIVE_COUNT, Integer.toString(receiveCount));
    if (job != null) {
      a.put(JOB_ID, job.jobId());
      a.put(ACCOUNT_ID, job.accountId());
    }
    return a;
  }
}
