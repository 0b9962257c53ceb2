package io.amifleet.ledger.complete;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.ledger.RunLedger;
import io.amifleet.ledger.model.Completion;
import io.amifleet.ledger.model.JobEntry;
import io.amifleet.ledger.model.RunCounts;
import io.amifleet.ledger.model.RunRecord;
import io.amifleet.ledger.model.RunView;
import io.amifleet.ledger.report.ReportRenderer;
import io.amifleet.ledger.report.ReportStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a run is complete and completes it: when every job the dispatcher sent has a
 * final result, or at the run's deadline (the jobs without one are named as missing). Completing
 * writes the report, then takes the ledger's one-time "completed" transition; only the caller that
 * wins it publishes the summary, so two collectors send one message. A crash between the transition
 * and the publish loses the message (at most once): the report and the ledger still say it all.
 *
 * <p>Thread-safe when its parts are.
 */
public final class RunCompletion {
  private static final Logger log = LoggerFactory.getLogger(RunCompletion.class);

  /**
   * Jobs named in the summary, and missing jobs kept in the run item (an item is at most 400 KB).
   */
  static final int NAMED = 20;

  static final int MISSING_KEPT = 1_000;

  private final RunLedger ledger;
  private final ReportRenderer renderer;
  private final ReportStore reports;
  private final Optional<Notifier> notifier;
  private final NotifyPolicy policy;
  private final Supplier<OptionalLong> deadLetters;
  private final Clock clock;

  /**
   * @param deadLetters the DLQ's depth for the summary (empty when unknown)
   */
  public RunCompletion(
      RunLedger ledger,
      ReportRenderer renderer,
      ReportStore reports,
      Optional<Notifier> notifier,
      NotifyPolicy policy,
      Supplier<OptionalLong> deadLetters,
      Clock clock) {
    this.ledger = requireNonNull(ledger, "ledger is null");
    this.renderer = requireNonNull(renderer, "renderer is null");
    this.reports = requireNonNull(reports, "reports is null");
    this.notifier = requireNonNull(notifier, "notifier is null");
    this.policy = requireNonNull(policy, "policy is null");
    this.deadLetters = requireNonNull(deadLetters, "deadLetters is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /**
   * Completes the run if it is complete now; the completion when this call made it.
   *
   * @param apiCalls the AWS calls of the run, when the caller knows them ({@code run})
   */
  public Optional<Completion> check(String runId, Optional<JsonNode> apiCalls) {
    Optional<RunView> found = ledger.run(runId);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    RunView view = found.get();
    RunRecord run = view.run();
    if (run.completed()) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    boolean allFinished = run.dispatchedAt() != null && view.missing().isEmpty();
    if (!allFinished && now.isBefore(run.deadline())) {
      return Optional.empty();
    }
    Completion.Reason reason =
        allFinished ? Completion.Reason.ALL_FINISHED : Completion.Reason.DEADLINE;
    List<String> missing =
        view.missing().stream().map(JobEntry::label).limit(MISSING_KEPT).toList();
    RunCounts counts = view.counts();
    Completion draft = new Completion(now, reason, counts, missing, null);
    ObjectNode data = renderer.data(new RunView(run.withCompletion(draft), view.jobs()), apiCalls);
    // The report first: the summary links it, and a second collector writes the same one.
    String location = reports.write(runId, renderer.html(data), data.toPrettyString());
    Completion done = new Completion(now, reason, counts, missing, location);
    if (!ledger.complete(runId, done)) {
      return Optional.empty(); // another collector completed it, and notifies
    }
    log.info(
        "run {} complete ({}): {} job(s), {} succeeded, {} failed, {} timed out, {} missing",
        runId,
        reason,
        counts.jobs(),
        counts.succeeded(),
        counts.failed(),
        counts.timedOut(),
        counts.missing());
    boolean announce =
        policy == NotifyPolicy.always
            || (policy == NotifyPolicy.failures && counts.anyUnsuccessful());
    if (announce && notifier.isPresent()) {
      try {
        notifier.get().publish(subject(runId, counts), summary(view, done, deadLetters.get()));
      } catch (RuntimeException e) {
        // Completed already: the message is lost, the ledger and the report are not.
        log.error("summary of run {} not published: {}", runId, e.getMessage());
      }
    }
    return Optional.of(done);
  }

  /** Checks every open run started since {@code since} (their deadlines pass without results). */
  public void sweep(Instant since) {
    for (RunRecord r : ledger.openRuns(since)) {
      if (!clock.instant().isBefore(r.deadline())) {
        check(r.runId(), Optional.empty());
      }
    }
  }

  static String subject(String runId, RunCounts c) {
    int bad = c.failed() + c.timedOut() + c.missing();
    return "amifleet run "
        + runId
        + (bad == 0
            ? ": all " + c.jobs() + " job(s) succeeded"
            : ": " + bad + " of " + c.jobs() + " job(s) not successful");
  }

  /** The message: counts, the failed and missing jobs with their error codes, DLQ, report. */
  static String summary(RunView view, Completion done, OptionalLong dlq) {
    RunCounts c = done.counts();
    StringBuilder b = new StringBuilder();
    b.append("amifleet run ")
        .append(view.run().runId())
        .append(
            done.reason() == Completion.Reason.DEADLINE ? " reached its deadline" : " is complete")
        .append(" (targets ")
        .append(view.run().source())
        .append(")\n\n")
        .append(
            String.format(
                "%d job(s): %d succeeded, %d failed, %d timed out, %d missing%n"
                    + "images: %d created, %d adopted%n",
                c.jobs(),
                c.succeeded(),
                c.failed(),
                c.timedOut(),
                c.missing(),
                c.created(),
                c.adopted()));
    List<JobEntry> failed =
        view.jobs().stream().filter(j -> j.result() != null && !j.result().succeeded()).toList();
    if (!failed.isEmpty()) {
      b.append("\nnot successful:\n");
      for (JobEntry j : failed.subList(0, Math.min(NAMED, failed.size()))) {
        ResultMessage r = j.result();
        b.append("  ")
            .append(j.label())
            .append("  ")
            .append(r.status())
            .append("  ")
            .append(r.errorCode() == null ? "-" : r.errorCode())
            .append('\n');
      }
      if (failed.size() > NAMED) {
        b.append("  and ").append(failed.size() - NAMED).append(" more (see the report)\n");
      }
      failed.stream()
          .map(j -> j.result().errorCode())
          .filter(java.util.Objects::nonNull)
          .distinct()
          .limit(5)
          .forEach(
              code ->
                  b.append("  replay: amifleet dlq replay --error-code ")
                      .append(code)
                      .append('\n'));
    }
    if (!done.missing().isEmpty()) {
      b.append("\nno result by the deadline:\n");
      done.missing().stream().limit(NAMED).forEach(m -> b.append("  ").append(m).append('\n'));
      if (c.missing() > NAMED) {
        b.append("  and ").append(c.missing() - NAMED).append(" more (see the report)\n");
      }
    }
    b.append('\n');
    if (dlq.isPresent()) {
      b.append("dead-letter queue: ").append(dlq.getAsLong()).append(" message(s)\n");
    }
    b.append("report: ").append(done.report()).append('\n');
    return b.toString();
  }
}
