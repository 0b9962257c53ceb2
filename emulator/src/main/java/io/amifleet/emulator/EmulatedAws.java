package io.amifleet.emulator;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * Plain SDK clients against an emulator, for seeding accounts and checking what amifleet made. The
 * hub signs with fixed test credentials (moto's default account 123456789012); an account's client
 * assumes {@code arn:aws:iam::<account>:role/<roleName>}, which moto routes to that account. Owns
 * its clients; thread-safe.
 */
public final class EmulatedAws implements AutoCloseable {
  public static final String HUB_ACCOUNT = "123456789012";
  public static final String ACCESS_KEY = "test";
  public static final String SECRET_KEY = "test";

  private final URI endpoint;
  private final String hubRegion;
  private final SdkHttpClient http = Apache5HttpClient.builder().maxConnections(32).build();
  private final StsClient sts;
  private final Map<String, Ec2Client> ec2 = new ConcurrentHashMap<>();
  private final List<AutoCloseable> owned = new ArrayList<>();

  public EmulatedAws(URI endpoint, String hubRegion) {
    this.endpoint = requireNonNull(endpoint, "endpoint is null");
    this.hubRegion = requireNonNull(hubRegion, "hubRegion is null");
    this.sts =
        StsClient.builder()
            .endpointOverride(endpoint)
            .region(Region.of(hubRegion))
            .credentialsProvider(hubCredentials())
            .httpClient(http)
            .build();
  }

  public static AwsCredentialsProvider hubCredentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
  }

  public URI endpoint() {
    return endpoint;
  }

  public String hubRegion() {
    return hubRegion;
  }

  public StsClient sts() {
    return sts;
  }

  /** An EC2 client acting in {@code accountId} (the hub itself when it is {@link #HUB_ACCOUNT}). */
  public Ec2Client ec2(String accountId, String region) {
    return ec2.computeIfAbsent(accountId + "/" + region, k -> newEc2(accountId, region));
  }

  /**
   * An SSM client acting in {@code accountId} (to look at the commands a worker sent, or send one
   * as a crashed worker would have); the caller closes it.
   */
  public SsmClient ssm(String accountId, String region) {
    return SsmClient.builder()
        .endpointOverride(endpoint)
        .region(Region.of(region))
        .credentialsProvider(credentialsIn(accountId))
        .httpClient(http)
        .build();
  }

  private Ec2Client newEc2(String accountId, String region) {
    return Ec2Client.builder()
        .endpointOverride(endpoint)
        .region(Region.of(region))
        .credentialsProvider(credentialsIn(accountId))
        .httpClient(http)
        .build();
  }

  private AwsCredentialsProvider credentialsIn(String accountId) {
    AwsCredentialsProvider credentials;
    if (accountId.equals(HUB_ACCOUNT)) {
      credentials = hubCredentials();
    } else {
      StsAssumeRoleCredentialsProvider assumed =
          StsAssumeRoleCredentialsProvider.builder()
              .stsClient(sts)
              .refreshRequest(
                  r ->
                      r.roleArn("arn:aws:iam::" + accountId + ":role/AmiFleetSeeder")
                          .roleSessionName("amifleet-seeder"))
              .build();
      synchronized (owned) {
        owned.add(assumed);
      }
      credentials = assumed;
    }
    return credentials;
  }

  @Override
  public void close() {
    ec2.values().forEach(Ec2Client::close);
    synchronized (owned) {
      for (AutoCloseable c : owned) {
        try {
          c.close();
        } catch (Exception e) {
          // closing a credentials provider cannot fail in a way worth reporting
        }
      }
    }
    sts.close();
    http.close();
  }
}
