package io.amifleet.common.error;

/** How a failure should be handled; see "Failure semantics" in the README. */
public enum ErrorKind {
  /** Throttling, 5xx, network errors, expired credentials: try again later. */
  RETRYABLE,
  /** The request can never succeed as sent (access denied, instance gone, bad state). */
  PERMANENT,
  /** The message itself is unusable (not JSON, unknown version, invalid or disallowed field). */
  POISON
}
