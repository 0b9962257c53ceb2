package io.amifleet.worker.image;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.ErrorCodes;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.message.JobStatus;

/**
 * An image that will not become available for this job: it failed ({@code ImageFailed}, status
 * FAILED) or was still pending at the deadline ({@code ImageTimedOut}, status TIMED_OUT). Carries
 * the image ID for the result.
 */
public final class ImageException extends AmiFleetException {
  private static final long serialVersionUID = 1L;

  private final String imageId;

  private ImageException(String errorCode, JobStatus status, String imageId, String message) {
    super(ErrorKind.PERMANENT, errorCode, status, message, null);
    this.imageId = imageId;
  }

  /** The image failed, or is gone: nothing will make it available. */
  public static ImageException failed(String imageId, String message) {
    return new ImageException(ErrorCodes.IMAGE_FAILED, JobStatus.FAILED, imageId, message);
  }

  /** The image was still not available at the job's deadline. */
  public static ImageException timedOut(String imageId, String message) {
    return new ImageException(ErrorCodes.IMAGE_TIMED_OUT, JobStatus.TIMED_OUT, imageId, message);
  }

  public String imageId() {
    return imageId;
  }
}
