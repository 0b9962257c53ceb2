package io.amifleet.cli.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.json.Json;
import io.amifleet.common.message.JobIds;
import io.amifleet.common.message.JobMessage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmfMetricsHookTest {
  @Test
  void aFailedHookIsAMetricWithItsHookAsDimension() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    EmfMetrics metrics =
        new EmfMetrics(
            new PrintStream(bytes, true, StandardCharsets.UTF_8),
            Json.newMapper(),
            Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
    String jobId = JobIds.jobId("run-1", "111111111111", "us-east-1", "i-0123456789abcdef0");
    JobMessage job =
        JobMessage.of(
            jobId,
            "run-1",
            "111111111111",
            "us-east-1",
            "arn:aws:iam::111111111111:role/AmiFleetCreator",
            null,
            "i-0123456789abcdef0",
            "db-" + JobIds.shortJobId(jobId),
            false,
            Map.of(),
            false,
            null);

    metrics.hookFailed(job, "post", "Failed (exit 1)");

    String line = bytes.toString(StandardCharsets.UTF_8);
    assertThat(line)
        .contains("\"Name\":\"HookFailures\"")
        .contains("\"Hook\":\"post\"")
        .contains("\"HookFailures\":1.0");
  }
}
