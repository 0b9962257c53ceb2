package io.amifleet.ledger;

import static java.util.Objects.requireNonNull;

import io.amifleet.ledger.complete.NotifyPolicy;
import java.util.Optional;

/**
 * Where a completed run is reported.
 *
 * @param bucket the S3 bucket for reports; empty: files beside the local ledger
 * @param topicArn the SNS topic for the summary; empty: no message
 * @param notifyPolicy when to send the summary
 */
public record ReportSettings(
    Optional<String> bucket, Optional<String> topicArn, NotifyPolicy notifyPolicy) {
  public ReportSettings {
    requireNonNull(bucket, "bucket is null");
    requireNonNull(topicArn, "topicArn is null");
    requireNonNull(notifyPolicy, "notifyPolicy is null");
  }

  public static ReportSettings local() {
    return new ReportSettings(Optional.empty(), Optional.empty(), NotifyPolicy.failures);
  }
}
