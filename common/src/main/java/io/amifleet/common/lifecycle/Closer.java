package io.amifleet.common.lifecycle;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the resources a command creates (SDK clients, HTTP clients, executors, embedded servers) and
 * closes them in reverse order of registration. Guice providers register what they create; the
 * command closes the closer when it ends. Thread-safe; closing twice is harmless.
 */
public final class Closer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Closer.class);

  private final Deque<Entry> resources = new ArrayDeque<>();
  private boolean closed;

  private record Entry(String name, AutoCloseable resource) {}

  public synchronized <T extends AutoCloseable> T register(String name, T resource) {
    if (closed) {
      throw new IllegalStateException("already closed; cannot register " + name);
    }
    resources.push(new Entry(name, resource));
    return resource;
  }

  @Override
  public void close() {
    Deque<Entry> toClose;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = new ArrayDeque<>(resources);
      resources.clear();
    }
    for (Entry e : toClose) {
      long start = System.nanoTime();
      try {
        e.resource().close();
      } catch (Exception ex) {
        log.warn("closing {} failed: {}", e.name(), ex.toString());
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      if (millis > 1_000) {
        log.warn("closing {} took {} ms", e.name(), millis);
      }
    }
  }
}
