package io.amifleet.common.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * Turns {@code accounts: {fromOrganization: ...}} into accounts, with AWS Organizations:
 * ListAccounts for the whole organization, or ListAccountsForParent over the given OUs and every OU
 * nested in them. Only ACTIVE accounts are kept (suspended and closing ones are skipped); the
 * file's defaults apply to each. Uses the hub's credentials, or the configured reader role (a
 * delegated administrator or the management account). Thread-safe.
 */
public final class OrganizationAccounts {
  private final AwsRuntime runtime;
  private final RoleCredentials roles;
  private final ObjectMapper mapper;

  @Inject
  public OrganizationAccounts(AwsRuntime runtime, RoleCredentials roles, ObjectMapper mapper) {
    this.runtime = requireNonNull(runtime, "runtime is null");
    this.roles = requireNonNull(roles, "roles is null");
    this.mapper = requireNonNull(mapper, "mapper is null");
  }

  /** {@code targets} with its organization's accounts listed; unchanged when it lists accounts. */
  public Targets expand(Targets targets) {
    if (targets.organization().isEmpty()) {
      return targets;
    }
    OrganizationSource source = targets.organization().get();
    Map<String, OrganizationsApi.OrgAccount> found = new LinkedHashMap<>();
    try {
      OrganizationsApi organizations = api(source);
      if (source.ous().isEmpty()) {
        organizations.listAccounts(a -> found.putIfAbsent(a.id(), a));
      } else {
        Deque<String> parents = new ArrayDeque<>(source.ous());
        while (!parents.isEmpty()) {
          String parent = parents.pop();
          organizations.listAccountsForParent(parent, a -> found.putIfAbsent(a.id(), a));
          organizations.listOrganizationalUnitsForParent(parent).forEach(parents::push);
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
    for (OrganizationsApi.OrgAccount a : found.values()) {
      if (!"ACTIVE".equals(a.status()) || source.exclude().contains(a.id())) {
        continue;
      }
      accounts.add(source.prototype().forAccount(a.id(), Optional.ofNullable(a.name())));
    }
    return new Targets(targets.source(), accounts, Optional.empty());
  }

  private OrganizationsApi api(OrganizationSource source) {
    String region = runtime.hubRegion().id();
    AwsCredentialsProvider credentials =
        source.readerRoleArn().isPresent()
            ? roles.provider(new RoleKey(source.readerRoleArn().get(), Optional.empty()))
            : runtime
                .settings()
                .hubCredentials()
                .orElseGet(() -> DefaultCredentialsProvider.builder().build());
    return new OrganizationsApi(
        runtime.syncHttp(),
        mapper,
        credentials,
        runtime.settings().endpoint().orElse(OrganizationsApi.endpointFor(region)),
        OrganizationsApi.signingRegionFor(region));
  }
}
