package io.amifleet.dispatcher.preflight;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.amifleet.common.aws.Ec2Clients;
import io.amifleet.common.aws.RoleCredentials;
import io.amifleet.common.aws.RoleKey;
import io.amifleet.common.aws.SsmClients;
import io.amifleet.common.config.AccountTarget;
import io.amifleet.common.config.OrganizationAccounts;
import io.amifleet.common.config.Targets;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.dispatcher.resolve.FoundInstance;
import io.amifleet.dispatcher.resolve.InstanceFinder;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import software.amazon.awssdk.services.ssm.model.InstanceInformationStringFilter;

/**
 * Checks, for every account and region of a targets file, what a night's run will need: the role
 * can be assumed (with the ExternalId), instances can be listed (and how many the selector
 * matches), CreateImage is allowed (an EC2 DryRun: {@code DryRunOperation} means it is), and, for
 * an account with hooks, its instances are SSM managed instances that are online. Runs {@code
 * parallelism} account-regions at a time; changes nothing. Thread-safe.
 */
public final class Preflight {
  /** An instance ID that does not exist, for the DryRun when the selector matches nothing. */
  static final String PLACEHOLDER_INSTANCE = "i-00000000000000000";

  private final RoleCredentials credentials;
  private final InstanceFinder finder;
  private final Ec2Clients ec2;
  private final OrganizationAccounts organization;
  private final SsmClients ssm;

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
      int matched,
      Check hooks) {
    /** No check failed (also in the JSON output, as {@code ok}). */
    @JsonProperty("ok")
    public boolean ok() {
      return assumeRole.status() != Status.FAILED
          && listInstances.status() != Status.FAILED
          && createImage.status() != Status.FAILED
          && hooks.status() != Status.FAILED;
    }
  }

  /**
   * DescribeInstanceInformation takes at most 50 values in its InstanceIds filter
   * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_InstanceInformationStringFilter.html).
   */
  static final int MAX_SSM_IDS_PER_CALL = 50;

  /** The tag the default hooks policy demands on an instance before SendCommand reaches it. */
  static final String HOOK_TAG = "amifleet:hooks";

  @Inject
  public Preflight(
      RoleCredentials credentials,
      InstanceFinder finder,
      Ec2Clients ec2,
      OrganizationAccounts organization,
      SsmClients ssm) {
    this.ssm = requireNonNull(ssm, "ssm is null");
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
                        0,
                        Check.skipped("-"))));
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
                        0,
                        Check.skipped("role not assumed")));
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
                  .thenCompose(
                      listed ->
                          dryRun(account, region, role, listed)
                              .thenCompose(row -> withHooks(row, account, region, role, listed)));
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
                  matched,
                  Check.skipped("no hooks"));
            });
  }

  /**
   * For an account with hooks: every matched instance is an SSM managed instance that is online
   * (DescribeInstanceInformation, PingStatus). Whether the role may call SendCommand for the hooks'
   * documents is not checked: SSM has no DryRun, and the only way to know is to run the command.
   * That the call succeeds at all shows the role has the hooks policy (the one grant of
   * DescribeInstanceInformation); the instances without the tag the default policy demands are
   * named in the detail.
   */
  private CompletableFuture<Row> withHooks(
      Row row, AccountTarget account, String region, RoleKey role, Listed listed) {
    if (account.hooks().isEmpty()) {
      return CompletableFuture.completedFuture(row);
    }
    if (listed.error() != null || listed.found().isEmpty()) {
      return CompletableFuture.completedFuture(with(row, Check.skipped("no instance to check")));
    }
    List<String> ids = listed.found().stream().map(FoundInstance::instanceId).toList();
    List<CompletableFuture<Map<String, String>>> calls = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += MAX_SSM_IDS_PER_CALL) {
      List<String> chunk = ids.subList(i, Math.min(ids.size(), i + MAX_SSM_IDS_PER_CALL));
      calls.add(pingStatus(role, region, chunk));
    }
    return CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0]))
        .handle(
            (x, e) -> {
              if (e != null) {
                return with(
                    row,
                    Check.failed(
                        "cannot read SSM instance information (the hooks policy is missing?): "
                            + AwsErrors.translate(e, "DescribeInstanceInformation").getMessage()));
              }
              Map<String, String> ping = new TreeMap<>();
              calls.forEach(c -> ping.putAll(c.join()));
              List<String> notManaged = new ArrayList<>();
              for (String id : ids) {
                String status = ping.get(id);
                if (!"Online".equals(status)) {
                  notManaged.add(id + (status == null ? " (not managed)" : " (" + status + ")"));
                }
              }
              if (!notManaged.isEmpty()) {
                return with(
                    row,
                    Check.failed(
                        "hooks need SSM managed instances that are online: "
                            + String.join(", ", notManaged)));
              }
              long untagged =
                  listed.found().stream()
                      .filter(f -> !"true".equals(f.tags().get(HOOK_TAG)))
                      .count();
              return with(
                  row,
                  Check.ok(
                      ids.size()
                          + " managed and online; SendCommand not checked (SSM has no DryRun)"
                          + (untagged == 0
                              ? ""
                              : "; "
                                  + untagged
                                  + " without tag "
                                  + HOOK_TAG
                                  + "=true, which the default hooks policy requires")));
            });
  }

  private CompletableFuture<Map<String, String>> pingStatus(
      RoleKey role, String region, List<String> ids) {
    Map<String, String> out = new java.util.concurrent.ConcurrentHashMap<>();
    return ssm.client(role, region)
        .describeInstanceInformationPaginator(
            b ->
                b.filters(
                        InstanceInformationStringFilter.builder()
                            .key("InstanceIds")
                            .values(ids)
                            .build())
                    .maxResults(MAX_SSM_IDS_PER_CALL))
        .instanceInformationList()
        .subscribe(i -> out.put(i.instanceId(), i.pingStatusAsString()))
        .thenApply(v -> Map.copyOf(out));
  }

  private static Row with(Row row, Check hooks) {
    return new Row(
        row.accountId(),
        row.name(),
        row.region(),
        row.assumeRole(),
        row.listInstances(),
        row.createImage(),
        row.matched(),
        hooks);
  }
}
