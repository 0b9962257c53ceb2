package io.amifleet.cli.options;

import io.amifleet.ledger.ReportSettings;
import io.amifleet.ledger.complete.NotifyPolicy;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where a completed run is reported: the report bucket, the SNS topic and when to notify. */
public final class ReportOptions {
  @Option(
      names = "--report-bucket",
      paramLabel = "BUCKET",
      defaultValue = "${env:AMIFLEET_REPORT_BUCKET}",
      description =
          "Write run reports to s3://BUCKET/runs/RUN/ (env AMIFLEET_REPORT_BUCKET; default: beside"
              + " the local ledger).")
  String bucket;

  @Option(
      names = "--topic-arn",
      paramLabel = "ARN",
      defaultValue = "${env:AMIFLEET_TOPIC_ARN}",
      description = "SNS topic for run summaries (env AMIFLEET_TOPIC_ARN).")
  String topicArn;

  @Option(
      names = "--notify",
      paramLabel = "failures|always|never",
      defaultValue = "failures",
      description =
          "Publish a run's summary when a job failed, timed out or is missing (failures), for"
              + " every run (always), or never (default: ${DEFAULT-VALUE}).")
  NotifyPolicy notify;

  public ReportSettings settings() {
    return new ReportSettings(opt(bucket), opt(topicArn), notify);
  }

  private static Optional<String> opt(String s) {
    return Optional.ofNullable(s).filter(v -> !v.isBlank());
  }
}
