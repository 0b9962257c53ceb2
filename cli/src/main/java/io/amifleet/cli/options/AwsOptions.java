package io.amifleet.cli.options;

import io.amifleet.common.aws.AwsSettings;
import io.amifleet.common.config.ConfigException;
import io.amifleet.common.config.Regions;
import java.net.URI;
import picocli.CommandLine.Option;

/** {@code --region} and {@code --endpoint-url}; without them the SDK's chains decide. */
public final class AwsOptions {
  @Option(
      names = "--region",
      paramLabel = "REGION",
      description = "Hub region for SQS and STS (default: the SDK chain: AWS_REGION, profile).")
  String region;

  @Option(
      names = "--endpoint-url",
      paramLabel = "URL",
      description =
          "Send every AWS call to this endpoint, e.g. an emulator (default: AWS_ENDPOINT_URL or AWS).")
  URI endpoint;

  public AwsSettings settings() {
    AwsSettings s = AwsSettings.defaults();
    if (region != null && !region.isBlank()) {
      Regions.problem(region)
          .ifPresent(
              problem -> {
                throw new ConfigException("--region: " + problem);
              });
      s = s.withRegion(region);
    }
    if (endpoint != null) {
      s = s.withEndpoint(endpoint);
    }
    return s;
  }
}
