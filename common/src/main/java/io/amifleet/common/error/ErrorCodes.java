package io.amifleet.common.error;

/** Error codes that amifleet itself produces (AWS error codes are passed through unchanged). */
public final class ErrorCodes {
  /** The message is not a valid job (not JSON, unknown version, missing or invalid field). */
  public static final String INVALID_MESSAGE = "InvalidMessage";

  /** The job's account is not in the worker's {@code --allow-account} list. */
  public static final String ACCOUNT_NOT_ALLOWED = "AccountNotAllowed";

  /** The image went to state {@code failed} (or another terminal non-available state). */
  public static final String IMAGE_FAILED = "ImageFailed";

  /** The image was still pending after {@code --max-wait}. */
  public static final String IMAGE_TIMED_OUT = "ImageTimedOut";

  /** An image with the job's deterministic name exists but was not made for this job. */
  public static final String IMAGE_NAME_CONFLICT = "ImageNameConflict";

  /**
   * CreateImage says the job's name is taken, but no image of that name is visible yet
   * (DescribeImages lags behind CreateImage): retryable, the next attempt adopts or reports a
   * conflict.
   */
  public static final String IMAGE_NOT_VISIBLE_YET = "ImageNotVisibleYet";

  /**
   * The job's pre hook failed or timed out on the instance and its {@code onPreFailure} is {@code
   * skip-image}: no image was made (the post hook still ran).
   */
  public static final String HOOK_FAILED = "HookFailed";

  /** A device of {@code excludeDevices} is not attached to the instance (or is its root). */
  public static final String INVALID_EXCLUDED_DEVICE = "InvalidExcludedDevice";

  /**
   * A disaster-recovery copy of the image failed (the copy ended {@code failed}, or CopyImage was
   * refused); the source image is fine, and a replay makes only the missing copies.
   */
  public static final String COPY_FAILED = "CopyFailed";

  /** A copy could not use its KMS key (the key is not accessible to the copying account). */
  public static final String KMS_ACCESS_DENIED = "KmsAccessDenied";

  /** A network or client-side failure without an AWS error code. */
  public static final String CLIENT_ERROR = "ClientError";

  /** A bug or unexpected condition inside amifleet. */
  public static final String INTERNAL_ERROR = "InternalError";

  private ErrorCodes() {}
}
