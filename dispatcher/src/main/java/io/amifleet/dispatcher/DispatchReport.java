package io.amifleet.dispatcher;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.PruneMessage;
import java.util.List;

/**
 * What a dispatch did, per account: the summary the CLI prints (table or JSON).
 *
 * @param jobs every job built (sent unless {@code dryRun})
 * @param prunes retention jobs built, one per region of an account with a retention policy
 * @param prunesEnqueued of those, how many the jobs queue accepted
 */
public record DispatchReport(
    String runId,
    boolean dryRun,
    List<AccountSummary> accounts,
    List<JobMessage> jobs,
    List<PruneMessage> prunes,
    int prunesEnqueued,
    List<String> pruneErrors) {

  public DispatchReport {
    requireNonNull(runId, "runId is null");
    accounts = List.copyOf(accounts);
    jobs = List.copyOf(jobs);
    prunes = List.copyOf(prunes);
    pruneErrors = List.copyOf(pruneErrors);
  }

  /**
   * One account's line.
   *
   * @param enqueued jobs accepted by the jobs queue (0 in a dry run)
   * @param errors regions that could not be searched and jobs that could not be sent
   * @param missing explicitly listed instances that were not found
   * @param skipped explicitly listed instances in a state that is not imaged, as "id (state)"
   */
  public record AccountSummary(
      String accountId,
      String name,
      List<String> regions,
      int instances,
      int enqueued,
      List<String> errors,
      List<String> missing,
      List<String> skipped) {
    public AccountSummary {
      regions = List.copyOf(regions);
      errors = List.copyOf(errors);
      missing = List.copyOf(missing);
      skipped = List.copyOf(skipped);
    }

    public boolean ok() {
      return errors.isEmpty() && missing.isEmpty() && skipped.isEmpty();
    }
  }

  public int jobCount() {
    return jobs.size();
  }

  public int enqueuedCount() {
    return accounts.stream().mapToInt(AccountSummary::enqueued).sum();
  }

  /** True when every account was searched, every listed instance found and every job sent. */
  public boolean ok() {
    return accounts.stream().allMatch(AccountSummary::ok) && pruneErrors.isEmpty();
  }
}
