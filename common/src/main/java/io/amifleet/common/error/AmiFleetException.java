package io.amifleet.common.error;

import static java.util.Objects.requireNonNull;

/**
 * The one unchecked exception of amifleet. Like the SDK's {@code SdkException} it answers whether
 * trying again could help, and it carries a short machine-readable {@link #errorCode()} (the AWS
 * error code where there is one) that ends up in results and DLQ attributes.
 *
 * <p>SDK exceptions are translated into this type where they enter the project ({@link
 * AwsErrors#translate}), so the rest of the code classifies failures by {@link #kind()} only.
 */
public class AmiFleetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorKind kind;
  private final String errorCode;

  public AmiFleetException(ErrorKind kind, String errorCode, String message) {
    this(kind, errorCode, message, null);
  }

  public AmiFleetException(ErrorKind kind, String errorCode, String message, Throwable cause) {
    super(requireNonNull(message, "message is null"), cause);
    this.kind = requireNonNull(kind, "kind is null");
    this.errorCode = requireNonNull(errorCode, "errorCode is null");
  }

  public ErrorKind kind() {
    return kind;
  }

  public String errorCode() {
    return errorCode;
  }

  /** True when the same request could succeed later (throttling, 5xx, network, expired token). */
  public boolean retryable() {
    return kind == ErrorKind.RETRYABLE;
  }
}
