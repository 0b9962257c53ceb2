package io.amifleet.common.config;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.aws.AwsRuntime;
import io.amifleet.common.aws.RoleCredentials;
import io.amifleet.common.aws.RoleKey;
import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.error.ErrorKind;
import jakarta.inject.Inject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.organizations.model.Account;
import software.amazon.awssdk.services.organizations.model.AccountState;
import software.amazon.awssdk.services.organizations.model.AccountStatus;
import software.amazon.awssdk.services.organizations.model.OrganizationalUnit;

/**
 * Turns {@code accounts: {fromOrganization: ...}} into accounts, with AWS Organizations:
 * ListAccounts for the whole organization, or ListAccountsForParent over the given OUs and every OU
 * nested in them (the SDK's paginators, page by page: the Organizations model names no result key,
 * so the paginators have no flattened item view). Only ACTIVE accounts are kept (suspended and
 * closing ones are skipped); the file's defaults apply to each. Uses the hub's credentials, or the
 * configured reader role (in the management or a delegated administrator account, assumed with the
 * defaults' ExternalId: infra/cloudformation/org-reader-role.yaml).
 *
 * <p>The client is the SDK's own, configured like every other client of the process ({@code
 * --endpoint-url}, {@code AWS_ENDPOINT_URL}, interceptors, retries), so an emulator or a VPC
 * endpoint reaches it too. Organizations is a global service: the SDK's endpoint rules send every
 * region of a partition to its one endpoint
 * (https://docs.aws.amazon.com/general/latest/gr/ao.html). One client per {@link #expand}, closed
 * at its end. Thread-safe.
 */
public final class OrganizationAccounts {
  private final AwsRuntime runtime;
  private final RoleCredentials roles;

  @Inject
  public OrganizationAccounts(AwsRuntime runtime, RoleCredentials roles) {
    this.runtime = requireNonNull(runtime, "runtime is null");
    this.roles = requireNonNull(roles, "roles is null");
  }

  /** {@code targets} with its organization's accounts listed; unchanged when it lists accounts. */
  public Targets expand(Targets targets) {
    if (targets.organization().isEmpty()) {
      return targets;
    }
    OrganizationSource source = targets.organization().get();
    Map<String, Account> found = new LinkedHashMap<>();
    try (OrganizationsClient organizations = client(source)) {
      if (source.ous().isEmpty()) {
        organizations.listAccountsPaginator(b -> {}).stream()
            .flatMap(page -> page.accounts().stream())
            .forEach(a -> keep(found, a));
      } else {
        Deque<String> parents = new ArrayDeque<>(source.ous());
        while (!parents.isEmpty()) {
          String parent = parents.pop();
          organizations.listAccountsForParentPaginator(b -> b.parentId(parent)).stream()
              .flatMap(page -> page.accounts().stream())
              .forEach(a -> keep(found, a));
          organizations.listOrganizationalUnitsForParentPaginator(b -> b.parentId(parent)).stream()
              .flatMap(page -> page.organizationalUnits().stream())
              .map(OrganizationalUnit::id)
              .forEach(parents::push);
        }
      }
    } catch (RuntimeException e) {
      throw new AmiFleetException(
          ErrorKind.PERMANENT,
          "OrganizationUnavailable",
          targets.source()
              + ": cannot list the organization's accounts: "
              + AwsErrors.translate(e, "Organizations").getMessage(),
          e);
    }
    List<AccountTarget> accounts = new ArrayList<>();
    for (Account a : found.values()) {
      if (!active(a) || source.exclude().contains(a.id())) {
        continue;
      }
      accounts.add(source.prototype().forAccount(a.id(), Optional.ofNullable(a.name())));
    }
    return new Targets(targets.source(), accounts, Optional.empty());
  }

  private static void keep(Map<String, Account> found, Account a) {
    found.putIfAbsent(a.id(), a);
  }

  /** Status (ACTIVE, SUSPENDED, PENDING_CLOSURE) is being replaced by State; read either. */
  private static boolean active(Account a) {
    if (a.state() != null && a.state() != AccountState.UNKNOWN_TO_SDK_VERSION) {
      return a.state() == AccountState.ACTIVE;
    }
    return a.status() == AccountStatus.ACTIVE;
  }

  private OrganizationsClient client(OrganizationSource source) {
    var builder =
        runtime
            .configure(OrganizationsClient.builder(), RetryMode.STANDARD)
            .region(runtime.hubRegion())
            .httpClient(runtime.syncHttp());
    if (source.readerRoleArn().isPresent()) {
      builder.credentialsProvider(
          roles.provider(
              new RoleKey(source.readerRoleArn().get(), source.prototype().externalId())));
    } else {
      runtime.settings().hubCredentials().ifPresent(builder::credentialsProvider);
    }
    return builder.build();
  }
}
