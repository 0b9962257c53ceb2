package io.amifleet.ledger.report;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.common.message.CopyResult;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.ledger.model.Completion;
import io.amifleet.ledger.model.JobEntry;
import io.amifleet.ledger.model.RunCounts;
import io.amifleet.ledger.model.RunView;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A run's report: the data as JSON ({@link #data}) and the same data as one self-contained HTML
 * page ({@link #html}: inline CSS, no script, no external asset, so it opens from S3, a mail or a
 * file). The page is made from the JSON, so the two never disagree. It shows the account × region
 * grid coloured by status, failures first with their error codes and the command that replays them,
 * jobs that never finished, time to available per account as bars, adopted vs created images, and
 * the AWS calls and throttles when the writer knows them. Stateless and thread-safe.
 */
public final class ReportRenderer {
  private final ObjectMapper mapper;

  @Inject
  public ReportRenderer(ObjectMapper mapper) {
    this.mapper = requireNonNull(mapper, "mapper is null");
  }

  /**
   * The report's data.
   *
   * @param apiCalls AWS calls by operation ({calls, attempts, throttled}) when the writer made them
   *     ({@code run}); empty for a collector, which does not see the workers' calls
   */
  public ObjectNode data(RunView view, Optional<JsonNode> apiCalls) {
    ObjectNode root = mapper.createObjectNode();
    var run = view.run();
    root.put("runId", run.runId());
    root.put("source", run.source());
    root.put("startedAt", run.startedAt().toString());
    root.put("deadline", run.deadline().toString());
    Completion c = run.completion();
    if (c != null) {
      root.put("completedAt", c.completedAt().toString());
      root.put("completion", c.reason().name());
    }
    RunCounts counts = view.counts();
    root.set("counts", mapper.valueToTree(counts));

    // The grid: one cell per account and region, with its jobs by status.
    TreeSet<String> accounts = new TreeSet<>();
    TreeSet<String> regions = new TreeSet<>();
    Map<String, int[]> cells = new TreeMap<>();
    for (JobEntry j : view.jobs()) {
      accounts.add(j.accountId());
      regions.add(j.region());
      int[] cell = cells.computeIfAbsent(j.accountId() + "/" + j.region(), k -> new int[4]);
      cell[statusIndex(j)]++;
    }
    ObjectNode grid = root.putObject("grid");
    accounts.forEach(grid.putArray("accounts")::add);
    regions.forEach(grid.putArray("regions")::add);
    ArrayNode gridCells = grid.putArray("cells");
    cells.forEach(
        (key, n) -> {
          String[] ar = key.split("/", 2);
          gridCells
              .addObject()
              .put("accountId", ar[0])
              .put("region", ar[1])
              .put("succeeded", n[0])
              .put("failed", n[1])
              .put("timedOut", n[2])
              .put("missing", n[3])
              .put("status", worst(n));
        });

    ArrayNode failures = root.putArray("failures");
    for (JobEntry j : view.jobs()) {
      ResultMessage r = j.result();
      if (r != null && !r.succeeded()) {
        ObjectNode f = failures.addObject();
        f.put("jobId", j.jobId());
        f.put("job", j.label());
        f.put("status", r.status().name());
        f.put("errorCode", r.errorCode());
        f.put("errorMessage", r.errorMessage());
        f.put(
            "replay",
            r.errorCode() == null
                ? "amifleet dlq list"
                : "amifleet dlq replay --error-code " + r.errorCode());
      }
    }
    ArrayNode missing = root.putArray("missing");
    view.missing().forEach(j -> missing.addObject().put("jobId", j.jobId()).put("job", j.label()));

    // Time to available per account: the jobs' start to finish, succeeded image jobs only.
    Map<String, List<Duration>> byAccount = new TreeMap<>();
    for (JobEntry j : view.jobs()) {
      if (j.result() != null && j.result().succeeded() && j.instanceId() != null) {
        j.duration()
            .ifPresent(
                d -> byAccount.computeIfAbsent(j.accountId(), a -> new ArrayList<>()).add(d));
      }
    }
    ArrayNode times = root.putArray("timeToAvailable");
    byAccount.forEach(
        (account, ds) -> {
          List<Duration> sorted = ds.stream().sorted().toList();
          times
              .addObject()
              .put("accountId", account)
              .put("jobs", sorted.size())
              .put("medianSeconds", sorted.get(sorted.size() / 2).toMillis() / 1000.0)
              .put("maxSeconds", sorted.get(sorted.size() - 1).toMillis() / 1000.0);
        });
    root.putObject("images").put("adopted", counts.adopted()).put("created", counts.created());
    if (apiCalls.isPresent()) {
      root.set("apiCalls", apiCalls.get());
    } else {
      root.putNull("apiCalls");
    }

    ArrayNode jobs = root.putArray("jobs");
    for (JobEntry j : view.jobs()) {
      ObjectNode o = jobs.addObject();
      o.put("jobId", j.jobId());
      o.put("accountId", j.accountId());
      o.put("region", j.region());
      o.put("instanceId", j.instanceId());
      o.put("kind", j.kind());
      o.put("status", statusName(j));
      ResultMessage r = j.result();
      if (r != null) {
        o.put("imageId", r.imageId());
        o.put("adopted", r.adopted());
        o.put("consistency", r.consistency());
        o.put("hookError", r.hookError());
        if (r.copies() != null) {
          ArrayNode copies = o.putArray("copies");
          for (CopyResult copy : r.copies()) {
            copies
                .addObject()
                .put("accountId", copy.accountId())
                .put("region", copy.region())
                .put("imageId", copy.imageId())
                .put("state", copy.state())
                .put("adopted", copy.adopted());
          }
        }
        o.put("errorCode", r.errorCode());
        j.duration().ifPresent(d -> o.put("seconds", d.toMillis() / 1000.0));
      }
    }
    return root;
  }

  /** The page of {@code data} (what {@link #data} made). */
  public String html(JsonNode data) {
    StringBuilder h = new StringBuilder(16_384);
    String runId = data.get("runId").asText();
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>amifleet run ")
        .append(esc(runId))
        .append("</title>\n<style>\n")
        .append(CSS)
        .append("</style>\n</head>\n<body>\n");
    JsonNode counts = data.get("counts");
    h.append("<h1>Run ")
        .append(esc(runId))
        .append("</h1>\n<p class=\"meta\">")
        .append("targets ")
        .append(esc(data.get("source").asText()))
        .append(" · started ")
        .append(esc(data.get("startedAt").asText()));
    if (data.hasNonNull("completedAt")) {
      h.append(" · completed ").append(esc(data.get("completedAt").asText()));
      if ("DEADLINE".equals(data.path("completion").asText())) {
        h.append(" (at its deadline)");
      }
    } else {
      h.append(" · not complete (deadline ").append(esc(data.get("deadline").asText())).append(')');
    }
    h.append("</p>\n<p id=\"totals\" class=\"totals\">");
    h.append(count(counts, "jobs", "job(s)", ""))
        .append(", ")
        .append(count(counts, "succeeded", "succeeded", "SUCCEEDED"))
        .append(", ")
        .append(count(counts, "failed", "failed", "FAILED"))
        .append(", ")
        .append(count(counts, "timedOut", "timed out", "TIMED_OUT"))
        .append(", ")
        .append(count(counts, "missing", "missing", "MISSING"))
        .append("</p>\n");

    // Failures first: that is what the reader came for.
    JsonNode failures = data.get("failures");
    if (!failures.isEmpty()) {
      h.append("<h2>Failures</h2>\n<table id=\"failures\">\n<thead><tr><th>Job</th><th>Status</th>")
          .append("<th>Error code</th><th>Error</th><th>What to do</th></tr></thead>\n<tbody>\n");
      for (JsonNode f : failures) {
        h.append("<tr class=\"")
            .append(cls(f.get("status").asText()))
            .append("\" data-job-id=\"")
            .append(esc(f.get("jobId").asText()))
            .append("\"><td>")
            .append(esc(f.get("job").asText()))
            .append("</td><td>")
            .append(esc(f.get("status").asText()))
            .append("</td><td><code>")
            .append(esc(f.path("errorCode").asText("")))
            .append("</code></td><td>")
            .append(esc(f.path("errorMessage").asText("")))
            .append("</td><td><code>")
            .append(esc(f.get("replay").asText()))
            .append("</code></td></tr>\n");
      }
      h.append("</tbody>\n</table>\n");
    }
    JsonNode missing = data.get("missing");
    if (!missing.isEmpty()) {
      h.append("<h2>Jobs without a result</h2>\n<ul id=\"missing\">\n");
      for (JsonNode m : missing) {
        h.append("<li data-job-id=\"")
            .append(esc(m.get("jobId").asText()))
            .append("\">")
            .append(esc(m.get("job").asText()))
            .append("</li>\n");
      }
      h.append("</ul>\n");
    }

    h.append("<h2>Accounts × regions</h2>\n<table id=\"grid\">\n<thead><tr><th>Account</th>");
    List<String> regions = texts(data.get("grid").get("regions"));
    regions.forEach(r -> h.append("<th>").append(esc(r)).append("</th>"));
    h.append("</tr></thead>\n<tbody>\n");
    Map<String, JsonNode> cells = new LinkedHashMap<>();
    data.get("grid")
        .get("cells")
        .forEach(c -> cells.put(c.get("accountId").asText() + "/" + c.get("region").asText(), c));
    for (String account : texts(data.get("grid").get("accounts"))) {
      h.append("<tr><th>").append(esc(account)).append("</th>");
      for (String region : regions) {
        JsonNode c = cells.get(account + "/" + region);
        if (c == null) {
          h.append("<td class=\"none\">–</td>");
          continue;
        }
        String status = c.get("status").asText();
        h.append("<td class=\"")
            .append(cls(status))
            .append("\" data-status=\"")
            .append(status)
            .append("\" title=\"")
            .append(esc(status))
            .append("\">")
            .append(c.get("succeeded").asInt())
            .append(" ok");
        for (String k : List.of("failed", "timedOut", "missing")) {
          if (c.get(k).asInt() > 0) {
            h.append(" · ").append(c.get(k).asInt()).append(' ').append(k);
          }
        }
        h.append("</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</tbody>\n</table>\n");

    h.append("<h2>Time to available</h2>\n<div id=\"times\" class=\"chart\">\n");
    double max = 0;
    for (JsonNode t : data.get("timeToAvailable")) {
      max = Math.max(max, t.get("maxSeconds").asDouble());
    }
    for (JsonNode t : data.get("timeToAvailable")) {
      double median = t.get("medianSeconds").asDouble();
      double longest = t.get("maxSeconds").asDouble();
      h.append("<div class=\"bar-row\"><span class=\"label\">")
          .append(esc(t.get("accountId").asText()))
          .append("</span><span class=\"bar\" style=\"width:")
          .append(String.format(Locale.ROOT, "%.1f", max == 0 ? 0 : 100 * longest / max))
          .append("%\"><span class=\"median\" style=\"width:")
          .append(String.format(Locale.ROOT, "%.1f", longest == 0 ? 0 : 100 * median / longest))
          .append("%\"></span></span><span class=\"value\">median ")
          .append(seconds(median))
          .append(", max ")
          .append(seconds(longest))
          .append(" (")
          .append(t.get("jobs").asInt())
          .append(" image(s))</span></div>\n");
    }
    h.append("</div>\n");
    JsonNode images = data.get("images");
    h.append("<h2>Images</h2>\n<p id=\"images\">")
        .append(images.get("created").asInt())
        .append(" created, ")
        .append(images.get("adopted").asInt())
        .append(" adopted (made by an earlier attempt or run)</p>\n");

    h.append("<h2>AWS calls</h2>\n");
    JsonNode calls = data.get("apiCalls");
    if (calls == null || calls.isNull()) {
      h.append(
          "<p id=\"api-calls\">Not recorded here: the collector does not see the workers'"
              + " calls (see the AmiFleet CloudWatch metrics).</p>\n");
    } else {
      h.append("<table id=\"api-calls\">\n<thead><tr><th>Call</th><th>Calls</th><th>Attempts</th>")
          .append("<th>Throttled</th></tr></thead>\n<tbody>\n");
      for (Map.Entry<String, JsonNode> e : calls.properties()) {
        h.append("<tr><td>")
            .append(esc(e.getKey()))
            .append("</td><td>")
            .append(e.getValue().path("calls").asLong())
            .append("</td><td>")
            .append(e.getValue().path("attempts").asLong())
            .append("</td><td>")
            .append(e.getValue().path("throttled").asLong())
            .append("</td></tr>\n");
      }
      h.append("</tbody>\n</table>\n");
    }

    h.append("<h2>Jobs</h2>\n<table id=\"jobs\">\n<thead><tr><th>Account</th><th>Region</th>")
        .append(
            "<th>Instance</th><th>Status</th><th>Image</th><th>Adopted</th><th>Consistency</th>")
        .append("<th>Copies</th>")
        .append("<th>Error code</th>")
        .append("<th>Seconds</th></tr></thead>\n<tbody>\n");
    for (JsonNode j : data.get("jobs")) {
      String status = j.get("status").asText();
      h.append("<tr class=\"")
          .append(cls(status))
          .append("\" data-job-id=\"")
          .append(esc(j.get("jobId").asText()))
          .append("\"><td>")
          .append(esc(j.get("accountId").asText()))
          .append("</td><td>")
          .append(esc(j.get("region").asText()))
          .append("</td><td>")
          .append(esc(j.path("instanceId").asText("retention")))
          .append("</td><td>")
          .append(esc(status))
          .append("</td><td>")
          .append(esc(j.path("imageId").asText("")))
          .append("</td><td>")
          .append(
              j.path("adopted").isBoolean() ? (j.get("adopted").asBoolean() ? "yes" : "no") : "")
          .append("</td><td class=\"consistency\">")
          .append(esc(j.path("consistency").asText("")))
          .append(
              j.hasNonNull("hookError") ? " (hook: " + esc(j.get("hookError").asText()) + ")" : "")
          .append("</td><td class=\"copies\">")
          .append(copies(j.path("copies")))
          .append("</td><td>")
          .append(esc(j.path("errorCode").asText("")))
          .append("</td><td>")
          .append(j.has("seconds") ? seconds(j.get("seconds").asDouble()) : "")
          .append("</td></tr>\n");
    }
    h.append("</tbody>\n</table>\n</body>\n</html>\n");
    return h.toString();
  }

  /** A job's copies in one cell: account/region image (state), one per line. */
  private static String copies(JsonNode copies) {
    StringBuilder cell = new StringBuilder();
    for (JsonNode c : copies) {
      if (cell.length() > 0) {
        cell.append("<br>");
      }
      cell.append(esc(c.path("accountId").asText()))
          .append('/')
          .append(esc(c.path("region").asText()))
          .append(' ')
          .append(esc(c.path("imageId").asText("-")))
          .append(" (")
          .append(esc(c.path("state").asText()))
          .append(')');
    }
    return cell.toString();
  }

  private static final String CSS =
      """
      body{font-family:system-ui,sans-serif;margin:2em;color:#222}
      table{border-collapse:collapse;margin:.5em 0 1.5em}
      th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;font-size:.9em}
      .meta{color:#555}.totals{font-size:1.1em}
      .SUCCEEDED{background:#d4f4dd}.FAILED{background:#f8d0d0}
      .TIMED_OUT{background:#fde5c2}.MISSING{background:#e0e0e0}.none{color:#aaa}
      .chart .bar-row{display:flex;align-items:center;margin:.2em 0}
      .chart .label{width:10em}.chart .bar{display:inline-block;height:1em;background:#9cc3e6;min-width:2px}
      .chart .median{display:block;height:1em;background:#3a78b5}.chart .value{margin-left:.6em;color:#555}
      """;

  /** 0 succeeded, 1 failed, 2 timed out, 3 missing. */
  private static int statusIndex(JobEntry j) {
    if (j.result() == null) {
      return 3;
    }
    return switch (j.result().status()) {
      case SUCCEEDED -> 0;
      case FAILED -> 1;
      case TIMED_OUT -> 2;
    };
  }

  private static String statusName(JobEntry j) {
    return j.result() == null ? "MISSING" : j.result().status().name();
  }

  private static String worst(int[] n) {
    if (n[1] > 0) {
      return "FAILED";
    }
    if (n[2] > 0) {
      return "TIMED_OUT";
    }
    if (n[3] > 0) {
      return "MISSING";
    }
    return "SUCCEEDED";
  }

  private static String count(JsonNode counts, String field, String words, String cls) {
    String span =
        "<span"
            + (cls.isEmpty() ? "" : " class=\"" + cls + "\"")
            + " data-count=\""
            + field
            + "\">";
    return span + counts.get(field).asInt() + "</span> " + words;
  }

  private static String cls(String status) {
    return switch (status) {
      case "SUCCEEDED", "FAILED", "TIMED_OUT", "MISSING" -> status;
      default -> "none";
    };
  }

  private static String seconds(double s) {
    return s >= 120
        ? String.format(Locale.ROOT, "%.1f min", s / 60)
        : String.format(Locale.ROOT, "%.1f s", s);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** HTML-escapes text for element content and quoted attributes. */
  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
