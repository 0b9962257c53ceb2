package io.amifleet.ledger.complete;

/** When a completed run is announced on the topic. */
public enum NotifyPolicy {
  /** Only when a job failed, timed out or never finished (the default). */
  failures,
  /** Every run. */
  always,
  /** Never (the report is still written). */
  never
}
