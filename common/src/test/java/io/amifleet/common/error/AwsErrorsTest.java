package io.amifleet.common.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

class AwsErrorsTest {
  private static final String CONTEXT = "CreateImage i-0123456789abcdef0 in 111111111111/us-east-1";

  private static AwsServiceException serviceError(int status, String code, String message) {
    return AwsServiceException.builder()
        .statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build())
        .build();
  }

  /** How StsAssumeRoleCredentialsProvider surfaces a failed AssumeRole to the calling client. */
  private static SdkClientException credentialsFailure(Throwable cause) {
    return SdkClientException.builder()
        .message("Unable to load credentials from StsAssumeRoleCredentialsProvider")
        .cause(cause)
        .build();
  }

  @Test
  void requestLimitExceededIsRetryable() {
    AwsServiceException cause =
        serviceError(400, "RequestLimitExceeded", "Request limit exceeded.");

    AmiFleetException e = AwsErrors.translate(cause, CONTEXT);

    assertThat(e.kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(e.retryable()).isTrue();
    assertThat(e.errorCode()).isEqualTo("RequestLimitExceeded");
    assertThat(e.getMessage())
        .isEqualTo(CONTEXT + ": RequestLimitExceeded: Request limit exceeded.");
    assertThat(e).hasCause(cause);
  }

  @Test
  void serverErrorIsRetryableWhateverItsCode() {
    AmiFleetException e =
        AwsErrors.translate(serviceError(500, "SomethingNobodyListed", "boom"), CONTEXT);

    assertThat(e.kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(e.errorCode()).isEqualTo("SomethingNobodyListed");
  }

  @Test
  void serverErrorWithoutDetailsIsRetryableWithHttpStatusAsCode() {
    AwsServiceException cause =
        AwsServiceException.builder().statusCode(503).message("Service Unavailable").build();

    AmiFleetException e = AwsErrors.translate(cause, CONTEXT);

    assertThat(e.kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(e.errorCode()).isEqualTo("HTTP503");
    assertThat(e.getMessage()).startsWith(CONTEXT + ": HTTP503: ");
  }

  @Test
  void accessDeniedIsPermanent() {
    AmiFleetException e =
        AwsErrors.translate(
            serviceError(403, "AccessDenied", "User is not authorized to perform sts:AssumeRole"),
            CONTEXT);

    assertThat(e.kind()).isEqualTo(ErrorKind.PERMANENT);
    assertThat(e.retryable()).isFalse();
    assertThat(e.errorCode()).isEqualTo("AccessDenied");
  }

  @Test
  void unauthorizedOperationIsPermanent() {
    AmiFleetException e =
        AwsErrors.translate(
            serviceError(403, "UnauthorizedOperation", "You are not authorized"), CONTEXT);

    assertThat(e.kind()).isEqualTo(ErrorKind.PERMANENT);
    assertThat(e.errorCode()).isEqualTo("UnauthorizedOperation");
  }

  @Test
  void missingInstanceIsPermanent() {
    AmiFleetException e =
        AwsErrors.translate(
            serviceError(
                400,
                "InvalidInstanceID.NotFound",
                "The instance ID 'i-0123456789abcdef0' does not exist"),
            CONTEXT);

    assertThat(e.kind()).isEqualTo(ErrorKind.PERMANENT);
    assertThat(e.errorCode()).isEqualTo("InvalidInstanceID.NotFound");
    assertThat(e.getMessage()).contains("does not exist");
  }

  @Test
  void unknownClientErrorIsPermanent() {
    AmiFleetException e =
        AwsErrors.translate(serviceError(400, "InvalidParameterValue", "bad"), CONTEXT);

    assertThat(e.kind()).isEqualTo(ErrorKind.PERMANENT);
  }

  @Test
  void expiredTokenIsRetryable() {
    AmiFleetException e =
        AwsErrors.translate(
            serviceError(
                400, "ExpiredToken", "The security token included in the request is expired"),
            CONTEXT);

    assertThat(e.kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(e.errorCode()).isEqualTo("ExpiredToken");
  }

  @Test
  void failureWrappedInCompletionExceptionIsUnwrapped() {
    AwsServiceException cause = serviceError(403, "UnauthorizedOperation", "no");

    AmiFleetException e = AwsErrors.translate(new CompletionException(cause), CONTEXT);

    assertThat(e.kind()).isEqualTo(ErrorKind.PERMANENT);
    assertThat(e.errorCode()).isEqualTo("UnauthorizedOperation");
    assertThat(e).hasCause(cause);
  }

  @Test
  void failureWrappedInNestedCompletionAndExecutionExceptionsIsUnwrapped() {
    AwsServiceException cause = serviceError(400, "RequestLimitExceeded", "slow down");

    AmiFleetException e =
        AwsErrors.translate(
            new CompletionException(new ExecutionException(new CompletionException(cause))),
            CONTEXT);

    assertThat(e.kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(e.errorCode()).isEqualTo("RequestLimitExceeded");
  }

  @Test
  void assumeRoleDenialInsideCredentialsFailureIsPermanentWithItsAwsCode() {
    AwsServiceException denied = serviceError(403, "AccessDenied", "not authorized to assume");

    AmiFleetException e = AwsErrors.translate(credentialsFailure(denied), CONTEXT);

    assertThat(e.kind()).isEqualTo(ErrorKind.PERMANENT);
    assertThat(e.errorCode()).isEqualTo("AccessDenied");
    assertThat(e.getMessage()).contains("AccessDenied", "not authorized to assume");
  }

  @Test
  void throttledAssumeRoleInsideAsyncCredentialsFailureIsRetryable() {
    AwsServiceException throttled = serviceError(400, "Throttling", "Rate exceeded");

    AmiFleetException e =
        AwsErrors.translate(new CompletionException(credentialsFailure(throttled)), CONTEXT);

    assertThat(e.kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(e.errorCode()).isEqualTo("Throttling");
    assertThat(AwsErrors.isThrottling(new CompletionException(credentialsFailure(throttled))))
        .isTrue();
  }

  @Test
  void networkFailureIsRetryableClientError() {
    SdkClientException network =
        SdkClientException.builder()
            .message("Unable to execute HTTP request: Connection refused")
            .cause(new ConnectException("Connection refused"))
            .build();

    AmiFleetException e = AwsErrors.translate(new CompletionException(network), CONTEXT);

    assertThat(e.kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(e.errorCode()).isEqualTo(ErrorCodes.CLIENT_ERROR);
    assertThat(e.getMessage())
        .isEqualTo(CONTEXT + ": Unable to execute HTTP request: Connection refused");
    assertThat(e).hasCause(network);
  }

  @Test
  void ioExceptionIsRetryableClientError() {
    AmiFleetException e = AwsErrors.translate(new IOException("reset by peer"), CONTEXT);

    assertThat(e.kind()).isEqualTo(ErrorKind.RETRYABLE);
    assertThat(e.errorCode()).isEqualTo(ErrorCodes.CLIENT_ERROR);
  }

  @Test
  void unexpectedExceptionIsReportedAsInternalError() {
    AmiFleetException e = AwsErrors.translate(new IllegalStateException("bug"), CONTEXT);

    assertThat(e.errorCode()).isEqualTo(ErrorCodes.INTERNAL_ERROR);
    assertThat(e.getMessage()).isEqualTo(CONTEXT + ": IllegalStateException: bug");
  }

  @Test
  void amiFleetExceptionPassesThroughUnchanged() {
    AmiFleetException original =
        new AmiFleetException(ErrorKind.POISON, ErrorCodes.ACCOUNT_NOT_ALLOWED, "not allowed");

    assertThat(AwsErrors.translate(original, CONTEXT)).isSameAs(original);
    assertThat(AwsErrors.translate(new CompletionException(original), CONTEXT)).isSameAs(original);
  }

  @Test
  void throttlingIsRecognisedByCodeAndStatus() {
    assertThat(AwsErrors.isThrottling(serviceError(503, "RequestLimitExceeded", "x"))).isTrue();
    assertThat(AwsErrors.isThrottling(serviceError(400, "Throttling", "x"))).isTrue();
    assertThat(AwsErrors.isThrottling(serviceError(400, "ThrottlingException", "x"))).isTrue();
    assertThat(AwsErrors.isThrottling(serviceError(429, "TooManyRequests", "x"))).isTrue();
    assertThat(
            AwsErrors.isThrottling(
                new CompletionException(serviceError(400, "RequestLimitExceeded", "x"))))
        .isTrue();
  }

  @Test
  void otherFailuresAreNotThrottling() {
    assertThat(AwsErrors.isThrottling(serviceError(403, "AccessDenied", "x"))).isFalse();
    assertThat(AwsErrors.isThrottling(serviceError(500, "InternalError", "x"))).isFalse();
    assertThat(AwsErrors.isThrottling(SdkClientException.create("network"))).isFalse();
    assertThat(AwsErrors.isThrottling(new IllegalStateException("bug"))).isFalse();
  }

  @Test
  void errorCodeOfFindsTheAwsCodeThroughWrappers() {
    assertThat(
            AwsErrors.errorCodeOf(
                new CompletionException(
                    credentialsFailure(serviceError(403, "AccessDenied", "x")))))
        .isEqualTo("AccessDenied");
    assertThat(AwsErrors.errorCodeOf(SdkClientException.create("network"))).isNull();
  }
}
