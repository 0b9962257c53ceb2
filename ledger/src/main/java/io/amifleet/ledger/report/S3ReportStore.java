package io.amifleet.ledger.report;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AwsErrors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Reports in the hub's report bucket: {@code runs/RUN/report.html} and {@code report.json}. The
 * bucket encrypts at rest by default and its policy refuses plain HTTP (hub stack); the pages are
 * read with the console or {@code aws s3 cp}, never public. Uses the caller's client. Thread-safe.
 */
public final class S3ReportStore implements ReportStore {
  private final S3Client s3;
  private final String bucket;

  public S3ReportStore(S3Client s3, String bucket) {
    this.s3 = requireNonNull(s3, "s3 is null");
    this.bucket = requireNonNull(bucket, "bucket is null");
  }

  static String key(String runId, String file) {
    return "runs/" + runId + "/" + file;
  }

  @Override
  public String write(String runId, String html, String json) {
    try {
      s3.putObject(
          b -> b.bucket(bucket).key(key(runId, "report.json")).contentType("application/json"),
          RequestBody.fromString(json));
      s3.putObject(
          b ->
              b.bucket(bucket)
                  .key(key(runId, "report.html"))
                  .contentType("text/html; charset=utf-8"),
          RequestBody.fromString(html));
    } catch (SdkException e) {
      throw AwsErrors.translate(e, "PutObject report of run " + runId + " to s3://" + bucket);
    }
    return "s3://" + bucket + "/" + key(runId, "report.html");
  }
}
