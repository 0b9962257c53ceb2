package io.amifleet.worker.image;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.aws.AccountRegion;
import io.amifleet.common.aws.RoleKey;
import io.amifleet.common.message.WorkItem;

/** Where a job's EC2 calls go: the role to act as, and the account and region it acts in. */
public record Ec2Target(RoleKey role, String accountId, String region) {
  public Ec2Target {
    requireNonNull(role, "role is null");
    requireNonNull(accountId, "accountId is null");
    requireNonNull(region, "region is null");
  }

  public static Ec2Target of(WorkItem job) {
    return new Ec2Target(
        RoleKey.of(job.roleArn(), job.externalId()), job.accountId(), job.region());
  }

  public AccountRegion accountRegion() {
    return new AccountRegion(accountId, region);
  }

  @Override
  public String toString() {
    return accountId + "/" + region;
  }
}
