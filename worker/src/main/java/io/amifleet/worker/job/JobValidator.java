package io.amifleet.worker.job;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.ErrorCodes;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.message.WorkItem;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a decoded job against this worker's policy. The schema itself (12-digit account, role ARN
 * in that account, ...) is checked when the job is decoded; this adds {@code --allow-account}.
 */
public final class JobValidator {
  private final Optional<Set<String>> allowedAccounts;

  /**
   * @param allowedAccounts the accounts jobs may act in; empty: any. A set given but empty allows
   *     none (it never falls back to "any").
   */
  public JobValidator(Optional<Set<String>> allowedAccounts) {
    this.allowedAccounts = allowedAccounts.map(Set::copyOf);
  }

  /** Throws a poison {@link AmiFleetException} when the job may not run here. */
  public void check(WorkItem job) {
    if (allowedAccounts.isEmpty()) {
      return;
    }
    if (!allowedAccounts.get().contains(job.accountId())) {
      throw new AmiFleetException(
          ErrorKind.POISON,
          ErrorCodes.ACCOUNT_NOT_ALLOWED,
          "account "
              + job.accountId()
              + " is not in this worker's --allow-account list "
              + allowedAccounts.get().stream().sorted().toList());
    }
  }
}
