package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amifleet.emulator.EmulatedAws;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * {@code amifleet emulator start} as a user runs it: a process that prints the endpoint to export,
 * serves the realistic EC2 layer there, and stops moto with itself on SIGTERM.
 */
class EmulatorStartIT {
  private static final Path JAR = Path.of("target/amifleet.jar").toAbsolutePath();

  private Process process;

  @AfterEach
  void tearDown() {
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  @Test
  void startPrintsTheEndpointServesTheLayerAndStopsMotoOnSigterm() throws Exception {
    assertThat(JAR)
        .as("the packaged jar (built by mvn package before the integration tests)")
        .exists();
    process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString(),
                "emulator",
                "start",
                "--port",
                "0",
                "--time-scale",
                "0.01",
                "--require-external-id",
                "Guarded=start-it-external-id")
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    List<String> lines = new ArrayList<>();
    URI endpoint = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (endpoint == null && System.nanoTime() < deadline) {
      String line = out.readLine();
      if (line == null) {
        break;
      }
      lines.add(line);
      if (line.startsWith("  export AWS_ENDPOINT_URL=")) {
        endpoint = URI.create(line.substring("  export AWS_ENDPOINT_URL=".length()));
      }
    }
    assertThat(endpoint).as("printed: %s", lines).isNotNull();
    List<ProcessHandle> children = process.descendants().toList();
    assertThat(children).as("moto runs as a child").isNotEmpty();

    try (Ec2Client ec2 =
            Ec2Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(EmulatedAws.hubCredentials())
                .build();
        StsClient sts =
            StsClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(EmulatedAws.hubCredentials())
                .build()) {
      assertThat(ec2.describeRegions().regions()).isNotEmpty();
      URI endpointUri = endpoint;
      assertThatThrownBy(
              () ->
                  sts.assumeRole(
                      b ->
                          b.roleArn("arn:aws:iam::111111111111:role/Guarded")
                              .roleSessionName("it")))
          .isInstanceOfSatisfying(
              AwsServiceException.class,
              e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied"));
      String stats =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(endpointUri.resolve("/_amifleet/stats")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(stats).contains("\"EC2.DescribeRegions\":{\"calls\":1");
    }

    process.destroy(); // SIGTERM
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isZero();
    for (ProcessHandle child : children) {
      child.onExit().get(15, TimeUnit.SECONDS);
      assertThat(child.isAlive()).as("moto stopped with the emulator").isFalse();
    }
  }
}
