package io.amifleet.cli.run;

import io.amifleet.cli.output.ResultsTable;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Shows a run's progress: on a terminal one live line, redrawn four times a second; otherwise (CI,
 * a log file) a plain line at the start and every few seconds. Status lines go through {@link
 * #println}, so they never land inside the live line. Owns its timer thread.
 */
public final class ProgressDisplay implements AutoCloseable {
  static final long PLAIN_PERIOD_SECONDS = 5;

  private final RunProgress progress;
  private final PrintStream out;
  private final boolean terminal;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          io.amifleet.common.aws.Threads.named("amifleet-progress"));
  private boolean closed;

  public ProgressDisplay(RunProgress progress, PrintStream out, boolean terminal) {
    this.progress = progress;
    this.out = out;
    this.terminal = terminal;
  }

  public void start() {
    if (terminal) {
      timer.scheduleAtFixedRate(this::redraw, 0, 250, TimeUnit.MILLISECONDS);
    } else {
      // A first line at once, so a log shows the run's total before anything finished.
      timer.scheduleAtFixedRate(this::plainLine, 0, PLAIN_PERIOD_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** The plain progress line, as printed when the output is not a terminal. */
  public static String line(RunProgress.Snapshot s) {
    return String.format(
        Locale.ROOT,
        "progress: %d/%d done, %d succeeded, %d failed, %d timed out, %d waiting, %s elapsed, %.1f jobs/s",
        s.done(),
        s.expected(),
        s.succeeded(),
        s.failed(),
        s.timedOut(),
        s.waiting(),
        ResultsTable.format(s.elapsed()),
        s.ratePerSecond());
  }

  /**
   * Prints a status line without breaking the live one: on a terminal the progress line is cleared,
   * the message printed on its own line, and the progress drawn again below it.
   */
  public synchronized void println(String message) {
    if (terminal && !closed) {
      out.print("\r\033[K");
      out.println(message);
      redraw();
    } else {
      out.println(message);
    }
  }

  private synchronized void plainLine() {
    if (!closed) {
      out.println(line(progress.snapshot()));
    }
  }

  private synchronized void redraw() {
    if (closed) {
      return;
    }
    RunProgress.Snapshot s = progress.snapshot();
    int width = 24;
    int filled = s.expected() == 0 ? width : (int) ((long) width * s.done() / s.expected());
    String bar = "#".repeat(filled) + ".".repeat(width - filled);
    out.print(
        String.format(
            Locale.ROOT,
            "\r\033[K[%s] %d/%d  ok %d  failed %d  timed out %d  waiting %d  %s  %.1f/s",
            bar,
            s.done(),
            s.expected(),
            s.succeeded(),
            s.failed(),
            s.timedOut(),
            s.waiting(),
            ResultsTable.format(s.elapsed()),
            s.ratePerSecond()));
    out.flush();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (terminal) {
        out.print("\r\033[K");
      }
      out.println(line(progress.snapshot()));
    }
  }
}
