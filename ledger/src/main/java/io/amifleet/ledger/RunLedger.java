package io.amifleet.ledger;

import io.amifleet.common.ledger.RunRecorder;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.ledger.model.Completion;
import io.amifleet.ledger.model.Orphan;
import io.amifleet.ledger.model.RunRecord;
import io.amifleet.ledger.model.RunView;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The run ledger: what each run sent, each job's result and how the run ended. One implementation
 * on DynamoDB for the fleet ({@code DynamoDbRunLedger}), one in local files for {@code run} on a
 * laptop ({@code FileRunLedger}); both keep the same rules, which hold under redelivery and with
 * two collectors at once:
 *
 * <ul>
 *   <li>one entry per job ID; a result replaces the one kept only when it {@linkplain
 *       ResultMessage#supersedes supersedes} it (a later SUCCEEDED replaces a failure), so a
 *       redelivered result changes nothing;
 *   <li>a run is completed once: {@link #complete} succeeds for one caller only.
 * </ul>
 *
 * Implementations are thread-safe.
 */
public interface RunLedger extends RunRecorder {
  /** What {@link #record} did with a result. */
  enum Recorded {
    /** The job had no result: kept. */
    NEW,
    /** It replaced the job's result (a success over a failure, or a later one). */
    REPLACED,
    /** The ledger already had this result or a better one: nothing changed. */
    UNCHANGED,
    /** The ledger has no such run: nothing recorded (keep the message as an {@link Orphan}). */
    UNKNOWN_RUN
  }

  Recorded record(ResultMessage result);

  /**
   * {@link #record}s each result, in order, as if one by one; what each call did, indexed like
   * {@code results}. A ledger that can take them in one write does ({@code run} on a laptop records
   * all of its results at its end).
   */
  default List<Recorded> recordAll(List<ResultMessage> results) {
    return results.stream().map(this::record).toList();
  }

  /** Keeps a message that is not a result of a known run (idempotent by message ID). */
  void orphan(Orphan orphan);

  Optional<RunView> run(String runId);

  /** Runs started at or after {@code since}, newest first, without their jobs. */
  List<RunRecord> runs(Instant since);

  /** Runs not completed yet started at or after {@code since} (for the deadline sweep). */
  default List<RunRecord> openRuns(Instant since) {
    return runs(since).stream().filter(r -> !r.completed()).toList();
  }

  /**
   * Completes the run with {@code completion} unless it was completed already; true for the one
   * caller that completed it (who then notifies).
   */
  boolean complete(String runId, Completion completion);

  /** Orphan results received at or after {@code since}, newest first. */
  List<Orphan> orphans(Instant since);

  /** Where this ledger is, for messages ("table amifleet-runs", "/home/me/.amifleet/runs"). */
  String describe();
}
