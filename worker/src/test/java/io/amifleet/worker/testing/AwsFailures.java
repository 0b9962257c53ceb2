package io.amifleet.worker.testing;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.AwsErrors;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** AWS service errors as the SDK raises them, and as the project sees them once translated. */
public final class AwsFailures {
  private AwsFailures() {}

  /** What the SDK throws for an error response with this code and HTTP status. */
  public static AwsServiceException serviceError(String errorCode, int statusCode) {
    String message = "injected " + errorCode;
    return AwsServiceException.builder()
        .statusCode(statusCode)
        .message(message)
        .awsErrorDetails(
            AwsErrorDetails.builder()
                .errorCode(errorCode)
                .errorMessage(message)
                .serviceName("Ec2")
                .build())
        .build();
  }

  /**
   * What an {@link io.amifleet.worker.image.ImageService} future fails with: the SDK error
   * translated where it enters the project (as {@code Ec2AsyncImageService} does), the SDK error
   * kept as the cause.
   */
  public static AmiFleetException translated(String errorCode, int statusCode, String context) {
    return AwsErrors.translate(serviceError(errorCode, statusCode), context);
  }

  /** EC2 throttling: retryable. */
  public static AmiFleetException throttled() {
    return translated("RequestLimitExceeded", 503, "CreateImage in 111111111111/us-east-1");
  }
}
