package io.amifleet.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Log levels the commands choose: quiet for interactive single-machine runs, full for daemons. */
public final class Logging {
  private Logging() {}

  /** Only warnings and errors from amifleet: the progress display says what is happening. */
  public static void quiet() {
    level("io.amifleet", Level.WARN);
  }

  public static void verbose() {
    level("io.amifleet", Level.DEBUG);
  }

  private static void level(String name, Level level) {
    if (LoggerFactory.getLogger(name) instanceof Logger logger) {
      logger.setLevel(level);
    }
  }
}
