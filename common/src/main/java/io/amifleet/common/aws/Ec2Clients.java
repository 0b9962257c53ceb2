package io.amifleet.common.aws;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/**
 * EC2 clients for target accounts: one per role, ExternalId and region, made on first use and kept,
 * each signing with that role's cached assumed-role credentials. EC2 calls never use the hub's
 * credentials, so images are always made in the target account.
 *
 * <p>Owns the clients and closes them in {@link #close()}. Thread-safe.
 */
public final class Ec2Clients implements AutoCloseable {
  private final AwsRuntime runtime;
  private final RoleCredentials credentials;
  private final ConcurrentMap<Key, Ec2AsyncClient> clients = new ConcurrentHashMap<>();

  private record Key(RoleKey role, String region) {}

  public Ec2Clients(AwsRuntime runtime, RoleCredentials credentials) {
    this.runtime = requireNonNull(runtime, "runtime is null");
    this.credentials = requireNonNull(credentials, "credentials is null");
  }

  public Ec2AsyncClient client(RoleKey role, String region) {
    return clients.computeIfAbsent(new Key(role, region), this::newClient);
  }

  private Ec2AsyncClient newClient(Key key) {
    return runtime.asyncClient(
        Ec2AsyncClient.builder(), credentials.provider(key.role()), key.region());
  }

  @Override
  public void close() {
    clients.values().forEach(Ec2AsyncClient::close);
    clients.clear();
  }
}
