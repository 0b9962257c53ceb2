package io.amifleet.worker.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * The order in which fakes were called, shared by several fakes so a test can check, say, that a
 * result was published before its message was deleted. Thread-safe.
 */
public final class Journal {
  private final List<String> entries = new ArrayList<>();

  public synchronized void add(String entry) {
    entries.add(entry);
  }

  public synchronized List<String> entries() {
    return List.copyOf(entries);
  }
}
