package io.amifleet.dispatcher.resolve;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.aws.Ec2Clients;
import io.amifleet.common.aws.RoleCredentials;
import io.amifleet.common.aws.RoleKey;
import io.amifleet.common.config.AccountTarget;
import io.amifleet.common.config.Selector;
import io.amifleet.common.error.AwsErrors;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * Finds instances with DescribeInstances in the target account (assumed role), through the SDK's
 * paginator, filtering by tags and state on the server side. Thread-safe.
 */
public final class Ec2InstanceFinder implements InstanceFinder {
  /** EC2 accepts up to 200 values per filter. */
  static final int MAX_FILTER_VALUES = 200;

  private static final int PAGE_SIZE = 1000;

  private final RoleCredentials credentials;
  private final Ec2Clients ec2Clients;

  @Inject
  public Ec2InstanceFinder(RoleCredentials credentials, Ec2Clients ec2Clients) {
    this.credentials = requireNonNull(credentials, "credentials is null");
    this.ec2Clients = requireNonNull(ec2Clients, "ec2Clients is null");
  }

  @Override
  public CompletableFuture<List<FoundInstance>> find(AccountTarget account, String region) {
    RoleKey role = new RoleKey(account.roleArn(), account.externalId());
    return credentials
        .ready(role)
        .thenCompose(ready -> describe(ec2Clients.client(role, region), account.select(), region))
        .exceptionally(
            e -> {
              throw AwsErrors.translate(e, "DescribeInstances in " + account.id() + "/" + region);
            });
  }

  private CompletableFuture<List<FoundInstance>> describe(
      Ec2AsyncClient ec2, Selector select, String region) {
    List<List<Filter>> queries = new ArrayList<>();
    Filter states = filter("instance-state-name", select.states());
    if (select.all()) {
      queries.add(List.of(states));
    }
    if (!select.tags().isEmpty()) {
      List<Filter> filters = new ArrayList<>();
      select.tags().forEach((key, values) -> filters.add(filter("tag:" + key, values)));
      filters.add(states);
      queries.add(filters);
    }
    List<String> ids = select.instanceIds();
    for (int i = 0; i < ids.size(); i += MAX_FILTER_VALUES) {
      queries.add(
          List.of(
              filter("instance-id", ids.subList(i, Math.min(ids.size(), i + MAX_FILTER_VALUES)))));
    }
    Map<String, FoundInstance> found = new LinkedHashMap<>();
    CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
    for (List<Filter> filters : queries) {
      all = all.thenCompose(x -> page(ec2, filters, region, found));
    }
    return all.thenApply(x -> List.copyOf(found.values()));
  }

  private static CompletableFuture<Void> page(
      Ec2AsyncClient ec2, List<Filter> filters, String region, Map<String, FoundInstance> found) {
    DescribeInstancesRequest request =
        DescribeInstancesRequest.builder().filters(filters).maxResults(PAGE_SIZE).build();
    return ec2.describeInstancesPaginator(request)
        .reservations()
        .subscribe(
            reservation -> {
              for (Instance instance : reservation.instances()) {
                synchronized (found) {
                  found.putIfAbsent(instance.instanceId(), toFound(instance, region));
                }
              }
            });
  }

  private static FoundInstance toFound(Instance instance, String region) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (Tag t : instance.tags()) {
      tags.put(t.key(), t.value());
    }
    String state = instance.state() == null ? "unknown" : instance.state().nameAsString();
    return new FoundInstance(instance.instanceId(), region, state, tags);
  }

  private static Filter filter(String name, List<String> values) {
    return Filter.builder().name(name).values(values).build();
  }
}
