package io.amifleet.common.message;

/** What became of a job. */
public enum JobStatus {
  SUCCEEDED,
  FAILED,
  TIMED_OUT
}
