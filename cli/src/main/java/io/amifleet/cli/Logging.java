package io.amifleet.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import io.amifleet.common.config.ConfigException;
import io.amifleet.common.config.Environment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/**
 * How amifleet logs. Log lines go to stderr (stdout is for what a command prints): as text for a
 * person at a terminal, and as JSON, one object per line, everywhere else (ECS's awslogs, the
 * systemd journal, CI), where each job's line carries {@code jobId}, {@code runId}, {@code
 * accountId}, {@code region} and {@code instanceId} as fields (see {@code JobMdc}) for CloudWatch
 * Logs Insights or jq. {@code AMIFLEET_LOG_FORMAT=json|text} decides instead. Also the levels the
 * commands choose: quiet for interactive single-machine runs, full for daemons.
 */
public final class Logging {
  static final String FORMAT_VARIABLE = "AMIFLEET_LOG_FORMAT";
  private static final String APPENDER = "STDERR";

  private Logging() {}

  /** Chooses text or JSON lines once, at start-up, before anything is logged. */
  static void configure(Environment environment) {
    String format =
        environment
            .get(FORMAT_VARIABLE)
            .map(v -> v.strip().toLowerCase(Locale.ROOT))
            .filter(v -> !v.isEmpty())
            .orElse(stderrIsTerminal() ? "text" : "json");
    switch (format) {
      case "json" -> useJson();
      case "text" -> {}
      default ->
          throw new ConfigException(
              FORMAT_VARIABLE
                  + "='"
                  + format
                  + "': use json or text (default: text on a terminal)");
    }
  }

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

  /** Replaces the text appender of logback.xml with the same appender writing JSON lines. */
  private static void useJson() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Appender<ILoggingEvent> text = root.getAppender(APPENDER);
    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext(context);
    // Fields a log search filters on; the encoder's defaults are @timestamp, level, logger_name,
    // thread_name, message, stack_trace and every MDC entry.
    encoder.setIncludeContext(false);
    encoder.start();
    ConsoleAppender<ILoggingEvent> json = new ConsoleAppender<>();
    json.setName(APPENDER);
    json.setContext(context);
    json.setTarget("System.err");
    json.setEncoder(encoder);
    json.start();
    root.addAppender(json);
    if (text != null) {
      root.detachAppender(text);
      text.stop();
    }
  }

  /**
   * Whether stderr, where logs go, is a terminal. {@code System.console()} answers for stdin and
   * stdout, which are often pipes while a person watches stderr ({@code amifleet results -o json |
   * jq}); on Linux the descriptor's link says it directly.
   */
  static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return System.console() != null;
    }
  }
}
