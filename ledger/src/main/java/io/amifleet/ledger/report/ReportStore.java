package io.amifleet.ledger.report;

/**
 * Where a run's report goes: S3 in the fleet ({@link S3ReportStore}), beside the local ledger for
 * {@code run} ({@link FileReportStore}). Writing the same run's report again replaces it.
 */
public interface ReportStore {
  /** Writes the page and its JSON; returns where the page is (an {@code s3://} URI or a path). */
  String write(String runId, String html, String json);
}
