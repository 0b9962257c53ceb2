package io.amifleet.dispatcher.preflight;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.amifleet.common.aws.Ec2Clients;
import io.amifleet.common.aws.RoleCredentials;
import io.amifleet.common.aws.RoleKey;
import io.amifleet.common.config.AccountTarget;
import io.amifleet.common.config.OrganizationAccounts;
import io.amifleet.common.config.Targets;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.dispatcher.resolve.FoundInstance;
import io.amifleet.dispatcher.resolve.InstanceFinder;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Checks, for every account and region of a targets file, what a night's run will need: the role
 * can be assumed (with the ExternalId), instances can be listed (and how many the selector
 * matches), and CreateImage is allowed (an EC2 DryRun: {@code DryRunOperation} means it is). Runs
 * {@code parallelism} account-regions at a time; changes nothing. Thread-safe.
 */
public final class Preflight {
  /** An instance ID that does not exist, for the DryRun when the selector matches nothing. */
  static final String PLACEHOLDER_INSTANCE = "i-00000000000000000";

  private final RoleCredentials credentials;
  private final InstanceFinder finder;
  private final Ec2Clients ec2;
  private final OrganizationAccounts organization;

  /** The outcome of one check: passed, failed (with why), or not checked (with why). */
  public record Check(Status status, String detail) {
    public static Check ok(String detail) {
      return new Check(Status.OK, detail);
    }

    public static Check failed(String detail) {
      return new Check(Status.FAILED, detail);
    }

    public static Check skipped(String detail) {
      return new Check(Status.NOT_CHECKED, detail);
    }
  }

  /** How a check ended. */
  public enum Status {
    OK,
    FAILED,
    NOT_CHECKED
  }

  /** One account+region's checks. */
  public record Row(
      String accountId,
      String name,
      String region,
      Check assumeRole,
      Check listInstances,
      Check createImage,
      int matched) {
    /** No check failed (also in the JSON output, as {@code ok}). */
    @JsonProperty("ok")
    public boolean ok() {
      return assumeRole.status() != Status.FAILED
          && listInstances.status() != Status.FAILED
          && createImage.status() != Status.FAILED;
    }
  }

  @Inject
  public Preflight(
      RoleCredentials credentials,
      InstanceFinder finder,
      Ec2Clients ec2,
      OrganizationAccounts organization) {
    this.credentials = requireNonNull(credentials, "credentials is null");
    this.finder = requireNonNull(finder, "finder is null");
    this.ec2 = requireNonNull(ec2, "ec2 is null");
    this.organization = requireNonNull(organization, "organization is null");
  }

  public List<Row> check(Targets listed, int parallelism) {
    Targets targets = organization.expand(listed);
    Semaphore permits = new Semaphore(parallelism);
    List<CompletableFuture<Row>> rows = new ArrayList<>();
    for (AccountTarget account : targets.accounts()) {
      for (String region : account.regions()) {
        permits.acquireUninterruptibly();
        CompletableFuture<Row> row;
        try {
          row = check(account, region);
        } catch (RuntimeException e) {
          row = CompletableFuture.failedFuture(e);
        }
        row.whenComplete((r, e) -> permits.release());
        rows.add(
            row.exceptionally(
                e ->
                    new Row(
                        account.id(),
                        account.label(),
                        region,
                        Check.failed(AwsErrors.translate(e, "preflight").getMessage()),
                        Check.skipped("-"),
                        Check.skipped("-"),
                        0)));
      }
    }
    return rows.stream().map(CompletableFuture::join).toList();
  }

  private CompletableFuture<Row> check(AccountTarget account, String region) {
    RoleKey role = new RoleKey(account.roleArn(), account.externalId());
    return credentials
        .ready(role)
        .handle((ok, e) -> e == null ? null : AwsErrors.translate(e, "AssumeRole").getMessage())
        .thenCompose(
            assumeError -> {
              if (assumeError != null) {
                return CompletableFuture.completedFuture(
                    new Row(
                        account.id(),
                        account.label(),
                        region,
                        Check.failed(assumeError),
                        Check.skipped("role not assumed"),
                        Check.skipped("role not assumed"),
                        0));
              }
              return finder
                  .find(account, region)
                  .handle(
                      (found, e) ->
                          new Listed(
                              found,
                              e == null
                                  ? null
                                  : AwsErrors.translate(e, "DescribeInstances").getMessage()))
                  .thenCompose(listed -> dryRun(account, region, role, listed));
            });
  }

  private record Listed(List<FoundInstance> found, String error) {}

  private CompletableFuture<Row> dryRun(
      AccountTarget account, String region, RoleKey role, Listed listed) {
    Check list =
        listed.error() == null
            ? Check.ok(listed.found().size() + " matched")
            : Check.failed(listed.error());
    int matched = listed.error() == null ? listed.found().size() : 0;
    String instance =
        listed.error() == null && !listed.found().isEmpty()
            ? listed.found().get(0).instanceId()
            : PLACEHOLDER_INSTANCE;
    return ec2.client(role, region)
        .createImage(
            b -> b.instanceId(instance).name("amifleet-preflight").noReboot(true).dryRun(true))
        .handle(
            (r, e) -> {
              String code = e == null ? null : AwsErrors.errorCodeOf(e);
              Check create;
              if ("DryRunOperation".equals(code)) {
                create = Check.ok("allowed (DryRun on " + instance + ")");
              } else if ("UnauthorizedOperation".equals(code) || "AccessDenied".equals(code)) {
                create =
                    Check.failed("CreateImage not allowed: " + AwsErrors.unwrap(e).getMessage());
              } else if (instance.equals(PLACEHOLDER_INSTANCE)
                  && code != null
                  && code.startsWith("InvalidInstanceID")) {
                create = Check.skipped("no instance to try it on");
              } else if (e == null) {
                create = Check.failed("the DryRun was not refused: the endpoint ignores DryRun");
              } else {
                create = Check.failed(AwsErrors.translate(e, "CreateImage DryRun").getMessage());
              }
              return new Row(
                  account.id(),
                  account.label(),
                  region,
                  Check.ok("assumed"),
                  list,
                  create,
                  matched);
            });
  }
}
