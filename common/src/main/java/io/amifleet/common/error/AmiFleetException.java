package io.amifleet.common.error;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.message.JobStatus;

/**
 * The one unchecked exception of amifleet. Like the SDK's {@code SdkException} it answers whether
 * trying again could help, and it carries a short machine-readable {@link #errorCode()} (the AWS
 * error code where there is one) that ends up in results and DLQ attributes.
 *
 * <p>SDK exceptions are translated into this type where they enter the project ({@link
 * AwsErrors#translate}), so the rest of the code classifies failures by {@link #kind()} only. What
 * a job that ends with this error reports is its {@link #status()}: {@code FAILED}, or {@code
 * TIMED_OUT} for a wait that ran out of time; the failure policy reads it, never the code.
 */
public class AmiFleetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorKind kind;
  private final String errorCode;
  private final JobStatus status;

  public AmiFleetException(ErrorKind kind, String errorCode, String message) {
    this(kind, errorCode, message, null);
  }

  public AmiFleetException(ErrorKind kind, String errorCode, String message, Throwable cause) {
    this(kind, errorCode, JobStatus.FAILED, message, cause);
  }

  /**
   * @param status what a job ending with this error reports: FAILED or TIMED_OUT
   */
  public AmiFleetException(
      ErrorKind kind, String errorCode, JobStatus status, String message, Throwable cause) {
    super(requireNonNull(message, "message is null"), cause);
    this.kind = requireNonNull(kind, "kind is null");
    this.errorCode = requireNonNull(errorCode, "errorCode is null");
    this.status = requireNonNull(status, "status is null");
    if (status == JobStatus.SUCCEEDED) {
      throw new IllegalArgumentException("an error cannot end a job SUCCEEDED");
    }
  }

  public ErrorKind kind() {
    return kind;
  }

  public String errorCode() {
    return errorCode;
  }

  /** What a job that ends with this error reports: FAILED, or TIMED_OUT. */
  public JobStatus status() {
    return status;
  }

  /** True when the same request could succeed later (throttling, 5xx, network, expired token). */
  public boolean retryable() {
    return kind == ErrorKind.RETRYABLE;
  }
}
