package io.amifleet.common.error;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Translates SDK exceptions into {@link AmiFleetException} where they enter the project.
 *
 * <p>Classification follows the EC2 and STS error references: throttling, 5xx and expired
 * credentials are retryable; authorization failures, missing instances and invalid parameters are
 * permanent (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html). Unknown
 * 4xx codes count as permanent, so a misconfiguration reaches the DLQ at once instead of burning
 * every receive.
 */
public final class AwsErrors {
  private static final Set<String> RETRYABLE_CODES =
      Set.of(
          "RequestLimitExceeded",
          "Throttling",
          "ThrottlingException",
          "ThrottledException",
          "RequestThrottled",
          "RequestThrottledException",
          "TooManyRequestsException",
          "SlowDown",
          "ExpiredToken",
          "ExpiredTokenException",
          "RequestExpired",
          "InternalError",
          "InternalFailure",
          "ServiceUnavailable",
          "Unavailable",
          "InsufficientInstanceCapacity",
          "IDPCommunicationError",
          "RequestTimeout",
          "RequestTimeoutException",
          "PriorRequestNotComplete",
          // A limit of operations in progress (concurrent AMI copies per destination Region):
          // it frees as they finish.
          "ResourceLimitExceeded");

  private AwsErrors() {}

  /**
   * Returns the {@link AmiFleetException} for {@code failure}, unwrapping completion wrappers and
   * credential-provider wrappers to the first AWS service error. {@code context} prefixes the
   * message, e.g. {@code "CreateImage i-0abc in 111111111111/us-east-1"}.
   */
  public static AmiFleetException translate(Throwable failure, String context) {
    Throwable t = unwrap(failure);
    if (t instanceof AmiFleetException e) {
      return e;
    }
    AwsServiceException service = findServiceException(t);
    if (service != null) {
      String code = errorCode(service);
      String message = context + ": " + code + ": " + serviceMessage(service);
      return new AmiFleetException(classify(service, code), code, message, service);
    }
    if (t instanceof SdkClientException || t instanceof IOException) {
      return new AmiFleetException(
          ErrorKind.RETRYABLE,
          ErrorCodes.CLIENT_ERROR,
          context + ": " + (t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage()),
          t);
    }
    if (t instanceof SdkException) {
      return new AmiFleetException(
          ((SdkException) t).retryable() ? ErrorKind.RETRYABLE : ErrorKind.PERMANENT,
          ErrorCodes.CLIENT_ERROR,
          context + ": " + t.getMessage(),
          t);
    }
    return new AmiFleetException(
        ErrorKind.RETRYABLE,
        ErrorCodes.INTERNAL_ERROR,
        context + ": " + t.getClass().getSimpleName() + ": " + t.getMessage(),
        t);
  }

  /** Strips {@link CompletionException}, {@link ExecutionException} and similar wrappers. */
  public static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The AWS error code of {@code failure}, or {@code null} when it is not an AWS error. */
  public static String errorCodeOf(Throwable failure) {
    AwsServiceException service = findServiceException(unwrap(failure));
    return service == null ? null : errorCode(service);
  }

  public static boolean isThrottling(Throwable failure) {
    AwsServiceException service = findServiceException(unwrap(failure));
    return service != null
        && (service.isThrottlingException()
            || "RequestLimitExceeded".equals(errorCode(service))
            || "Throttling".equals(errorCode(service)));
  }

  private static ErrorKind classify(AwsServiceException e, String code) {
    if (e.isThrottlingException() || RETRYABLE_CODES.contains(code) || e.statusCode() >= 500) {
      return ErrorKind.RETRYABLE;
    }
    return ErrorKind.PERMANENT;
  }

  private static AwsServiceException findServiceException(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof AwsServiceException s) {
        return s;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }

  private static String errorCode(AwsServiceException e) {
    if (e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null) {
      return e.awsErrorDetails().errorCode();
    }
    return "HTTP" + e.statusCode();
  }

  private static String serviceMessage(AwsServiceException e) {
    if (e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null) {
      return e.awsErrorDetails().errorMessage();
    }
    return e.getMessage();
  }
}
