package io.amifleet.common.aws;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import software.amazon.awssdk.services.ssm.SsmAsyncClient;

/**
 * SSM clients for target accounts (the hooks' Run Commands): one per role, ExternalId and region,
 * made on first use and kept, each signing with that role's cached assumed-role credentials, as
 * {@link Ec2Clients} does for EC2. A worker whose jobs have no hooks never makes one.
 *
 * <p>Owns the clients and closes them in {@link #close()}. Thread-safe.
 */
public final class SsmClients implements AutoCloseable {
  private final AwsRuntime runtime;
  private final RoleCredentials credentials;
  private final ConcurrentMap<Key, SsmAsyncClient> clients = new ConcurrentHashMap<>();

  private record Key(RoleKey role, String region) {}

  public SsmClients(AwsRuntime runtime, RoleCredentials credentials) {
    this.runtime = requireNonNull(runtime, "runtime is null");
    this.credentials = requireNonNull(credentials, "credentials is null");
  }

  public SsmAsyncClient client(RoleKey role, String region) {
    return clients.computeIfAbsent(new Key(role, region), this::newClient);
  }

  private SsmAsyncClient newClient(Key key) {
    return runtime.asyncClient(
        SsmAsyncClient.builder(), credentials.provider(key.role()), key.region());
  }

  @Override
  public void close() {
    clients.values().forEach(SsmAsyncClient::close);
    clients.clear();
  }
}
