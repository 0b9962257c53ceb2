package io.amifleet.emulator;

import java.net.URI;

/**
 * A running AWS emulator reachable over HTTP. Closing it stops what this process started (and
 * nothing else: an emulator given by address is left running).
 */
public interface Emulator extends AutoCloseable {
  URI endpoint();

  /** How it was found or started, for messages ("moto_server on PATH", ...). */
  String description();

  /** Clears all emulated state (moto: POST /moto-api/reset). */
  default void reset() {
    MotoLauncher.reset(endpoint());
  }

  @Override
  void close();
}
