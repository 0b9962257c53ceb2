package io.amifleet.testing.fault;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpResponse;

/** Helpers shared by the fault-injecting interceptors. */
final class Faults {
  private Faults() {}

  static String operation(ExecutionAttributes attributes) {
    String op = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    return op == null ? "" : op;
  }

  static String service(ExecutionAttributes attributes) {
    String s = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
    return s == null ? "" : s;
  }

  /**
   * An AWS error as the SDK would have unmarshalled it from a response. Thrown from {@code
   * beforeTransmission}, it stands for a response the service sent instead of doing the work, and
   * the SDK's retry strategy treats it like one.
   */
  static AwsServiceException serviceError(String service, String code, String message, int status) {
    return AwsServiceException.builder()
        .message(message)
        .statusCode(status)
        .awsErrorDetails(
            AwsErrorDetails.builder()
                .errorCode(code)
                .errorMessage(message)
                .serviceName(service)
                .sdkHttpResponse(SdkHttpResponse.builder().statusCode(status).build())
                .build())
        .build();
  }
}
