package io.amifleet.dispatcher.preflight;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.aws.AwsRuntime;
import io.amifleet.common.aws.Ec2Clients;
import io.amifleet.common.aws.RoleCredentials;
import io.amifleet.common.aws.RoleKey;
import io.amifleet.common.config.AccountTarget;
import io.amifleet.common.config.CopyTarget;
import io.amifleet.common.config.OrganizationAccounts;
import io.amifleet.common.config.Targets;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.dispatcher.preflight.Preflight.Check;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import software.amazon.awssdk.services.kms.KmsAsyncClient;
import software.amazon.awssdk.services.kms.model.KeyState;

/**
 * Checks the path of each disaster-recovery copy before the night, sending nothing: the role that
 * makes the copy can be assumed in the destination (the account's own, or the vault's with its
 * ExternalId), the destination region is enabled for that account (DescribeRegions: a region that
 * needs opting in and is not opted in cannot take a copy), and the copy's KMS key is usable there
 * (DescribeKey through that role: it exists, is enabled, and the role may see it). One row per
 * account and destination. Thread-safe.
 */
public final class CopyPreflight {
  private final RoleCredentials credentials;
  private final Ec2Clients ec2;
  private final AwsRuntime runtime;
  private final OrganizationAccounts organization;

  /** One copy destination of one account, and its checks. */
  public record CopyRow(
      String accountId,
      String name,
      String copyAccount,
      String region,
      Check assumeRole,
      Check regionEnabled,
      Check kmsKey) {
    public boolean ok() {
      return assumeRole.status() != Preflight.Status.FAILED
          && regionEnabled.status() != Preflight.Status.FAILED
          && kmsKey.status() != Preflight.Status.FAILED;
    }
  }

  @Inject
  public CopyPreflight(
      RoleCredentials credentials,
      Ec2Clients ec2,
      AwsRuntime runtime,
      OrganizationAccounts organization) {
    this.credentials = requireNonNull(credentials, "credentials is null");
    this.ec2 = requireNonNull(ec2, "ec2 is null");
    this.runtime = requireNonNull(runtime, "runtime is null");
    this.organization = requireNonNull(organization, "organization is null");
  }

  public List<CopyRow> check(Targets listed, int parallelism) {
    Targets targets = organization.expand(listed);
    Semaphore permits = new Semaphore(parallelism);
    List<CompletableFuture<CopyRow>> rows = new ArrayList<>();
    for (AccountTarget account : targets.accounts()) {
      for (CopyTarget copy : account.copies()) {
        permits.acquireUninterruptibly();
        CompletableFuture<CopyRow> row;
        try {
          row = check(account, copy);
        } catch (RuntimeException e) {
          row = CompletableFuture.failedFuture(e);
        }
        row.whenComplete((r, e) -> permits.release());
        rows.add(
            row.exceptionally(
                e ->
                    new CopyRow(
                        account.id(),
                        account.label(),
                        copy.accountIn(account.id()),
                        copy.region(),
                        Check.failed(AwsErrors.translate(e, "preflight").getMessage()),
                        Check.skipped("-"),
                        Check.skipped("-"))));
      }
    }
    return rows.stream().map(CompletableFuture::join).toList();
  }

  private CompletableFuture<CopyRow> check(AccountTarget account, CopyTarget copy) {
    RoleKey role =
        copy.roleArn().isPresent()
            ? new RoleKey(copy.roleArn().get(), copy.externalId())
            : new RoleKey(account.roleArn(), account.externalId());
    String in = copy.accountIn(account.id());
    return credentials
        .ready(role)
        .handle((ok, e) -> e == null ? null : AwsErrors.translate(e, "AssumeRole").getMessage())
        .thenCompose(
            assumeError -> {
              if (assumeError != null) {
                return CompletableFuture.completedFuture(
                    new CopyRow(
                        account.id(),
                        account.label(),
                        in,
                        copy.region(),
                        Check.failed(
                            (copy.roleArn().isPresent() ? "vault role: " : "") + assumeError),
                        Check.skipped("role not assumed"),
                        Check.skipped("role not assumed")));
              }
              return regionEnabled(role, copy.region())
                  .thenCombine(
                      key(role, copy),
                      (region, key) ->
                          new CopyRow(
                              account.id(),
                              account.label(),
                              in,
                              copy.region(),
                              Check.ok("assumed " + role.roleArn()),
                              region,
                              key));
            });
  }

  private CompletableFuture<Check> regionEnabled(RoleKey role, String region) {
    return ec2.client(role, region)
        .describeRegions(b -> b.regionNames(region).allRegions(true))
        .handle(
            (r, e) -> {
              if (e != null) {
                return Check.failed(AwsErrors.translate(e, "DescribeRegions").getMessage());
              }
              return r.regions().stream()
                  .filter(x -> x.regionName().equals(region))
                  .findFirst()
                  .map(
                      x ->
                          "not-opted-in".equals(x.optInStatus())
                              ? Check.failed(
                                  region
                                      + " is not enabled for this account (opt in first: Account"
                                      + " settings, AWS Regions)")
                              : Check.ok(x.optInStatus() == null ? "enabled" : x.optInStatus()))
                  .orElse(Check.failed(region + " is not a region EC2 knows"));
            });
  }

  private CompletableFuture<Check> key(RoleKey role, CopyTarget copy) {
    if (copy.kmsKeyId().isEmpty()) {
      return CompletableFuture.completedFuture(
          Check.skipped("no kmsKeyId: EC2's default for the destination"));
    }
    String keyId = copy.kmsKeyId().get();
    KmsAsyncClient kms =
        runtime.asyncClient(KmsAsyncClient.builder(), credentials.provider(role), copy.region());
    return kms.describeKey(b -> b.keyId(keyId))
        .handle(
            (r, e) -> {
              if (e != null) {
                return Check.failed(
                    "KMS key " + keyId + ": " + AwsErrors.translate(e, "DescribeKey").getMessage());
              }
              KeyState state = r.keyMetadata().keyState();
              return state == KeyState.ENABLED
                  ? Check.ok("usable (" + r.keyMetadata().arn() + ")")
                  : Check.failed("KMS key " + keyId + " is " + r.keyMetadata().keyStateAsString());
            })
        .whenComplete((c, e) -> kms.close());
  }
}
