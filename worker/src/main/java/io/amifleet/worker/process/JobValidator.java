package io.amifleet.worker.process;

import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.ErrorCodes;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.message.WorkItem;
import java.util.Set;

/**
 * Checks a decoded job against this worker's policy. The schema itself (12-digit account, role ARN
 * in that account, ...) is checked when the job is decoded; this adds {@code --allow-account}.
 */
public final class JobValidator {
  private final Set<String> allowedAccounts;

  public JobValidator(Set<String> allowedAccounts) {
    this.allowedAccounts = Set.copyOf(allowedAccounts);
  }

  /** Throws a poison {@link AmiFleetException} when the job may not run here. */
  public void check(WorkItem job) {
    if (!allowedAccounts.isEmpty() && !allowedAccounts.contains(job.accountId())) {
      throw new AmiFleetException(
          ErrorKind.POISON,
          ErrorCodes.ACCOUNT_NOT_ALLOWED,
          "account "
              + job.accountId()
              + " is not in this worker's --allow-account list "
              + allowedAccounts.stream().sorted().toList());
    }
  }
}
