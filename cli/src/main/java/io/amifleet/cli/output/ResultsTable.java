package io.amifleet.cli.output;

import io.amifleet.common.config.Durations;
import io.amifleet.common.message.JobStatus;
import io.amifleet.common.message.PruneSummary;
import io.amifleet.common.message.ResultMessage;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
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
        .filter(r -> !r.isPrune())
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
    // Disaster-recovery copies: one row per copy, under the image it copies.
    Table copies =
        new Table("ACCOUNT", "REGION", "INSTANCE", "COPY IN", "COPY REGION", "COPY", "STATE");
    results.stream()
        .filter(r -> !r.isPrune() && r.copies() != null)
        .sorted(
            Comparator.comparing(ResultMessage::accountId)
                .thenComparing(ResultMessage::region)
                .thenComparing(ResultMessage::instanceId))
        .forEach(
            r ->
                r.copies()
                    .forEach(
                        c ->
                            copies.row(
                                r.accountId(),
                                r.region(),
                                r.instanceId(),
                                c.accountId(),
                                c.region(),
                                c.imageId() == null ? "-" : c.imageId(),
                                Boolean.TRUE.equals(c.adopted())
                                    ? c.state() + " (adopted)"
                                    : c.state())));
    if (!copies.isEmpty()) {
      out.println();
      copies.print(out);
    }
    Table retention =
        new Table(
            "ACCOUNT",
            "REGION",
            "RETENTION",
            "IMAGES DELETED",
            "SNAPSHOTS DELETED",
            "KEPT",
            "NOTES");
    results.stream()
        .filter(ResultMessage::isPrune)
        .sorted(Comparator.comparing(ResultMessage::accountId).thenComparing(ResultMessage::region))
        .forEach(
            r -> {
              PruneSummary p = r.prune();
              retention.row(
                  r.accountId(),
                  r.region(),
                  r.status(),
                  p == null ? "-" : p.deletedImageIds().size(),
                  p == null ? "-" : p.deletedSnapshotIds().size(),
                  p == null ? "-" : p.keptImages(),
                  r.errorCode() != null
                      ? r.errorCode() + ": " + abbreviate(r.errorMessage(), 100)
                      : p == null ? "-" : pruneNotes(p));
            });
    if (!retention.isEmpty()) {
      out.println();
      retention.print(out);
    }
    out.println(totals(results));
  }

  /**
   * What a prune left and why: checks that could not run first (they kept images), then images past
   * the policy still in use, deprecations, snapshots left.
   */
  private static String pruneNotes(PruneSummary p) {
    List<String> notes = new ArrayList<>();
    if (!p.checksNotRun().isEmpty()) {
      notes.add("checks not run: " + abbreviate(String.join("; ", p.checksNotRun()), 100));
    }
    if (!p.keptImagesWhy().isEmpty()) {
      notes.add(
          p.keptImagesWhy().size()
              + " image(s) past the policy kept: "
              + abbreviate(String.join("; ", p.keptImagesWhy()), 100));
    }
    if (!p.deprecatedImageIds().isEmpty()) {
      notes.add(p.deprecatedImageIds().size() + " deprecated");
    }
    if (!p.keptSnapshots().isEmpty()) {
      notes.add("snapshots left: " + abbreviate(String.join("; ", p.keptSnapshots()), 100));
    }
    return notes.isEmpty() ? "-" : String.join(" | ", notes);
  }

  public static String totals(List<ResultMessage> all) {
    List<ResultMessage> results = all.stream().filter(r -> !r.isPrune()).toList();
    long prunes = all.size() - results.size();
    long ok = results.stream().filter(r -> r.status() == JobStatus.SUCCEEDED).count();
    long failed = results.stream().filter(r -> r.status() == JobStatus.FAILED).count();
    long timedOut = results.stream().filter(r -> r.status() == JobStatus.TIMED_OUT).count();
    return String.format(
            Locale.ROOT,
            "%d result(s): %d succeeded, %d failed, %d timed out",
            results.size(),
            ok,
            failed,
            timedOut)
        + (prunes == 0
            ? ""
            : String.format(
                Locale.ROOT,
                "; retention applied in %d account-region(s), %d failed",
                prunes,
                all.stream().filter(r -> r.isPrune() && !r.succeeded()).count()));
  }

  static String duration(ResultMessage r) {
    if (r.startedAt() == null || r.finishedAt() == null) {
      return "-";
    }
    return format(Duration.between(r.startedAt(), r.finishedAt()));
  }

  /** {@link Durations#format}: one duration format in tables, progress and logs. */
  public static String format(Duration d) {
    return Durations.format(d);
  }

  private static String abbreviate(String s, int max) {
    if (s == null) {
      return "";
    }
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
