package io.amifleet.worker.prune;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.aws.AwsRuntime;
import io.amifleet.common.aws.RoleCredentials;
import io.amifleet.common.aws.RoleKey;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import software.amazon.awssdk.services.autoscaling.AutoScalingAsyncClient;
import software.amazon.awssdk.services.rbin.RbinAsyncClient;
import software.amazon.awssdk.services.ssm.SsmAsyncClient;

/**
 * The Auto Scaling, SSM and Recycle Bin clients retention's usage checks use in target accounts:
 * one per role, ExternalId and region, made on first use (a prune that checks nothing there makes
 * none), each signing with the role's cached assumed-role credentials, as {@link
 * io.amifleet.common.aws.Ec2Clients} does for EC2.
 *
 * <p>Owns the clients and closes them in {@link #close()}. Thread-safe.
 */
public final class UsageClients implements AutoCloseable {
  private final AwsRuntime runtime;
  private final RoleCredentials credentials;
  private final ConcurrentMap<Key, AutoScalingAsyncClient> autoScaling = new ConcurrentHashMap<>();
  private final ConcurrentMap<Key, SsmAsyncClient> ssm = new ConcurrentHashMap<>();
  private final ConcurrentMap<Key, RbinAsyncClient> rbin = new ConcurrentHashMap<>();

  private record Key(RoleKey role, String region) {}

  public UsageClients(AwsRuntime runtime, RoleCredentials credentials) {
    this.runtime = requireNonNull(runtime, "runtime is null");
    this.credentials = requireNonNull(credentials, "credentials is null");
  }

  public AutoScalingAsyncClient autoScaling(RoleKey role, String region) {
    return autoScaling.computeIfAbsent(
        new Key(role, region),
        k ->
            runtime.asyncClient(
                AutoScalingAsyncClient.builder(), credentials.provider(k.role()), k.region()));
  }

  public SsmAsyncClient ssm(RoleKey role, String region) {
    return ssm.computeIfAbsent(
        new Key(role, region),
        k ->
            runtime.asyncClient(
                SsmAsyncClient.builder(), credentials.provider(k.role()), k.region()));
  }

  public RbinAsyncClient rbin(RoleKey role, String region) {
    return rbin.computeIfAbsent(
        new Key(role, region),
        k ->
            runtime.asyncClient(
                RbinAsyncClient.builder(), credentials.provider(k.role()), k.region()));
  }

  @Override
  public void close() {
    autoScaling.values().forEach(AutoScalingAsyncClient::close);
    autoScaling.clear();
    ssm.values().forEach(SsmAsyncClient::close);
    ssm.clear();
    rbin.values().forEach(RbinAsyncClient::close);
    rbin.clear();
  }
}
