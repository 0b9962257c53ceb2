package io.amifleet.bench;

import io.amifleet.emulator.realistic.ProxyStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Scenario 1's runs of one profile side by side, as Markdown (readable in a terminal, and the
 * README's table as printed): the costs and outcome per competitor (and, where the layer applied
 * EC2's CreateImage bucket, each run's wall time against the floor of that run), then the calls by
 * operation.
 */
final class CompetitorTable {
  private CompetitorTable() {}

  static String render(
      String title,
      Map<Competitor, List<CompetitorRun>> runs,
      Map<Competitor, CompetitorRun> median,
      int jobs) {
    boolean floors = median.values().stream().anyMatch(r -> r.pendingFloorMillis() != null);
    StringBuilder b = new StringBuilder();
    b.append(title).append("\n\n");
    List<String> header =
        new ArrayList<>(
            List.of(
                "competitor",
                "wall",
                "client CPU",
                "moto CPU",
                "layer CPU",
                "client + emulator CPU",
                "images",
                "FAILED",
                "jobs retried",
                "CreateImage throttled",
                "first CreateImage",
                "last CreateImage",
                "client CPU / job past start-up"));
    if (floors) {
      header.add("floor of its run (bucket + drawn pending)");
      header.add("wall / floor");
    }
    row(b, header);
    row(b, header.stream().map(h -> "---").toList());
    for (Map.Entry<Competitor, CompetitorRun> e : median.entrySet()) {
      CompetitorRun r = e.getValue();
      List<CompetitorRun> all = runs.get(e.getKey());
      List<String> cells = new ArrayList<>();
      cells.add(r.competitor().label());
      cells.add(wall(r, all));
      cells.add(s(r.clientCpuMillis()));
      cells.add(s(r.motoCpuMillis()));
      cells.add(s(r.layerCpuMillis()));
      cells.add(s(r.totalCpuMillis()));
      cells.add(Integer.toString(r.images()));
      cells.add(Integer.toString(r.failed()));
      cells.add(r.retried() == null ? "-" : Long.toString(r.retried()));
      cells.add(Long.toString(r.throttled("EC2.CreateImage")));
      cells.add(s(r.firstCreateImageMillis()));
      cells.add(s(r.lastCreateImageMillis()));
      Double perJob = r.cpuPerJobPastStartupMillis(jobs);
      cells.add(perJob == null ? "-" : String.format(Locale.ROOT, "%.1f ms", perJob));
      if (floors) {
        Long floor = r.pendingFloorMillis();
        cells.add(s(floor));
        cells.add(
            floor == null || floor == 0
                ? "-"
                : String.format(Locale.ROOT, "%.2fx", r.wallMillis() / (double) floor));
      }
      row(b, cells);
    }
    b.append('\n');
    TreeSet<String> ops = new TreeSet<>();
    median.values().forEach(r -> ops.addAll(r.calls().keySet()));
    TreeSet<String> own = new TreeSet<>();
    median.values().forEach(r -> own.addAll(r.ownCalls().keySet()));
    List<String> callsHeader = new ArrayList<>(List.of("calls (throttled)"));
    median.keySet().forEach(c -> callsHeader.add(c.label()));
    row(b, callsHeader);
    row(b, callsHeader.stream().map(h -> "---").toList());
    for (String op : ops) {
      row(b, cells(op + " (layer)", median, r -> count(r.calls().get(op))));
    }
    for (String op : own) {
      row(
          b,
          cells(
              op + " (amifleet's own count)",
              median,
              r -> r.ownCalls().containsKey(op) ? Long.toString(r.ownCalls().get(op)) : "-"));
    }
    return b.toString();
  }

  private static List<String> cells(
      String first, Map<Competitor, CompetitorRun> median, Function<CompetitorRun, String> cell) {
    List<String> cells = new ArrayList<>(List.of(first));
    median.values().forEach(r -> cells.add(cell.apply(r)));
    return cells;
  }

  private static String count(ProxyStats.Count c) {
    if (c == null) {
      return "-";
    }
    return c.throttled() == 0 ? Long.toString(c.calls()) : c.calls() + " (" + c.throttled() + ")";
  }

  private static String wall(CompetitorRun median, List<CompetitorRun> all) {
    if (all.size() < 2) {
      return s(median.wallMillis());
    }
    long min = all.stream().mapToLong(CompetitorRun::wallMillis).min().orElseThrow();
    long max = all.stream().mapToLong(CompetitorRun::wallMillis).max().orElseThrow();
    return String.format(
        Locale.ROOT, "%s (%.1f-%.1f)", s(median.wallMillis()), min / 1000.0, max / 1000.0);
  }

  private static String s(Long millis) {
    return millis == null ? "-" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  private static void row(StringBuilder b, List<String> cells) {
    b.append("| ").append(String.join(" | ", cells)).append(" |\n");
  }
}
