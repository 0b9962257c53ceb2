package io.amifleet.testing.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.SharedEmulator;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

class ErrorInjectorIT {
  private final Emulator emulator = SharedEmulator.get();

  private Ec2Client client(ErrorInjector injector) {
    return Ec2Client.builder()
        .endpointOverride(emulator.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(EmulatedAws.hubCredentials())
        .overrideConfiguration(
            ClientOverrideConfiguration.builder()
                .retryStrategy(RetryMode.STANDARD)
                .addExecutionInterceptor(injector)
                .build())
        .build();
  }

  @Test
  void injectedThrottlingIsRetriedBySdkAndSurfacesAsThrottling() {
    ErrorInjector injector = ErrorInjector.throttling(Set.of("DescribeRegions"), 1.0, 1);
    try (Ec2Client ec2 = client(injector)) {
      assertThatThrownBy(ec2::describeRegions)
          .isInstanceOfSatisfying(
              AwsServiceException.class,
              e -> {
                assertThat(e.isThrottlingException()).isTrue();
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("RequestLimitExceeded");
              });
      // The SDK's standard strategy makes 3 attempts: each one reached the injector.
      assertThat(injector.injected()).isEqualTo(3);
    }
  }

  @Test
  void otherOperationsPassThrough() {
    ErrorInjector injector = ErrorInjector.throttling(Set.of("CreateImage"), 1.0, 1);
    try (Ec2Client ec2 = client(injector)) {
      assertThat(ec2.describeRegions().regions()).isNotEmpty();
      assertThat(injector.injected()).isZero();
    }
  }
}
