package io.amifleet.common.aws;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * How to reach AWS. Everything left empty comes from the SDK's own chains (AWS_REGION, AWS_PROFILE,
 * AWS_ENDPOINT_URL, instance and task roles).
 *
 * @param region the hub region (SQS, STS); empty: the SDK's region chain
 * @param endpoint one endpoint for every service (an emulator); empty: the SDK's own resolution
 * @param sqsEndpoint an endpoint for SQS only (the embedded queue); wins over {@code endpoint}
 * @param hubCredentials the hub's credentials; empty: the SDK's default credentials chain
 * @param interceptors added to every client (fault injection in tests and benchmarks)
 * @param maxConnections connections per HTTP client
 */
public record AwsSettings(
    Optional<String> region,
    Optional<URI> endpoint,
    Optional<URI> sqsEndpoint,
    Optional<AwsCredentialsProvider> hubCredentials,
    List<ExecutionInterceptor> interceptors,
    int maxConnections) {

  public static final int DEFAULT_MAX_CONNECTIONS = 200;

  public AwsSettings {
    requireNonNull(region, "region is null");
    requireNonNull(endpoint, "endpoint is null");
    requireNonNull(sqsEndpoint, "sqsEndpoint is null");
    requireNonNull(hubCredentials, "hubCredentials is null");
    interceptors = List.copyOf(requireNonNull(interceptors, "interceptors is null"));
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be positive");
    }
  }

  public static AwsSettings defaults() {
    return new AwsSettings(
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        DEFAULT_MAX_CONNECTIONS);
  }

  public AwsSettings withRegion(String value) {
    return new AwsSettings(
        Optional.of(value), endpoint, sqsEndpoint, hubCredentials, interceptors, maxConnections);
  }

  public AwsSettings withEndpoint(URI value) {
    return new AwsSettings(
        region, Optional.of(value), sqsEndpoint, hubCredentials, interceptors, maxConnections);
  }

  public AwsSettings withSqsEndpoint(URI value) {
    return new AwsSettings(
        region, endpoint, Optional.of(value), hubCredentials, interceptors, maxConnections);
  }

  public AwsSettings withHubCredentials(AwsCredentialsProvider value) {
    return new AwsSettings(
        region, endpoint, sqsEndpoint, Optional.of(value), interceptors, maxConnections);
  }

  public AwsSettings withInterceptors(List<ExecutionInterceptor> value) {
    return new AwsSettings(region, endpoint, sqsEndpoint, hubCredentials, value, maxConnections);
  }
}
