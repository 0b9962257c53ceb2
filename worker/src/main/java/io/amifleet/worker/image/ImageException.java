package io.amifleet.worker.image;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.ErrorKind;

/**
 * An image that will not become available for this job: it failed ({@code ImageFailed}) or was
 * still pending at the deadline ({@code ImageTimedOut}). Carries the image ID for the result.
 */
public final class ImageException extends AmiFleetException {
  private static final long serialVersionUID = 1L;

  private final String imageId;

  public ImageException(String errorCode, String imageId, String message) {
    super(ErrorKind.PERMANENT, errorCode, message);
    this.imageId = imageId;
  }

  public String imageId() {
    return imageId;
  }
}
