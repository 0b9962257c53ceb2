package io.amifleet.cli.output;

import io.amifleet.common.message.JobStatus;
import io.amifleet.common.message.ResultMessage;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** The results table and totals line that {@code results}, {@code run} and {@code demo} print. */
public final class ResultsTable {
  private ResultsTable() {}

  public static void print(List<ResultMessage> results, PrintStream out) {
    Table table =
        new Table("ACCOUNT", "REGION", "INSTANCE", "IMAGE", "STATUS", "DURATION", "ERROR");
    results.stream()
        .sorted(
            Comparator.comparing(ResultMessage::accountId)
                .thenComparing(ResultMessage::region)
                .thenComparing(ResultMessage::instanceId))
        .forEach(
            r ->
                table.row(
                    r.accountId(),
                    r.region(),
                    r.instanceId(),
                    r.imageId(),
                    r.status(),
                    duration(r),
                    r.errorCode() == null
                        ? "-"
                        : r.errorCode() + ": " + abbreviate(r.errorMessage(), 100)));
    if (!table.isEmpty()) {
      table.print(out);
    }
    out.println(totals(results));
  }

  public static String totals(List<ResultMessage> results) {
    long ok = results.stream().filter(r -> r.status() == JobStatus.SUCCEEDED).count();
    long failed = results.stream().filter(r -> r.status() == JobStatus.FAILED).count();
    long timedOut = results.stream().filter(r -> r.status() == JobStatus.TIMED_OUT).count();
    return String.format(
        Locale.ROOT,
        "%d result(s): %d succeeded, %d failed, %d timed out",
        results.size(),
        ok,
        failed,
        timedOut);
  }

  static String duration(ResultMessage r) {
    if (r.startedAt() == null || r.finishedAt() == null) {
      return "-";
    }
    return format(Duration.between(r.startedAt(), r.finishedAt()));
  }

  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 10_000) {
      return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    long s = d.toSeconds();
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }

  private static String abbreviate(String s, int max) {
    if (s == null) {
      return "";
    }
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
