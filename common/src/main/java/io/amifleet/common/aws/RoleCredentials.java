package io.amifleet.common.aws;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AwsErrors;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;

/**
 * Assumed-role credentials for target accounts, one SDK {@link StsAssumeRoleCredentialsProvider}
 * per role and ExternalId. The SDK provider caches the session and refreshes it before it expires,
 * so a fleet makes about one AssumeRole per role per hour, however many jobs it runs.
 *
 * <p>AssumeRole is a blocking call; {@link #ready} runs it on a small pool owned by this class so
 * that callers on completion threads never block. Thread-safe; {@link #close()} closes the
 * providers and the pool (not the STS client, which Guice owns).
 */
public final class RoleCredentials implements AutoCloseable {
  static final String SESSION_NAME = "amifleet";
  static final Duration SESSION_DURATION = Duration.ofHours(1);

  private final StsClient sts;
  private final ExecutorService stsPool;
  private final ConcurrentMap<RoleKey, StsAssumeRoleCredentialsProvider> providers =
      new ConcurrentHashMap<>();

  public RoleCredentials(StsClient sts, ExecutorService stsPool) {
    this.sts = requireNonNull(sts, "sts is null");
    this.stsPool = requireNonNull(stsPool, "stsPool is null");
  }

  /** The cached provider for {@code role}; resolving it may call AssumeRole (blocking). */
  public AwsCredentialsProvider provider(RoleKey role) {
    return providers.computeIfAbsent(role, this::newProvider);
  }

  /**
   * Completes with the provider once it holds valid credentials, or exceptionally with a translated
   * {@link io.amifleet.common.error.AmiFleetException} (AccessDenied is permanent, throttling and
   * network errors retryable).
   */
  public CompletableFuture<AwsCredentialsProvider> ready(RoleKey role) {
    AwsCredentialsProvider provider = provider(role);
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            provider.resolveCredentials();
            return provider;
          } catch (RuntimeException e) {
            throw AwsErrors.translate(e, "AssumeRole " + role.roleArn());
          }
        },
        stsPool);
  }

  private StsAssumeRoleCredentialsProvider newProvider(RoleKey role) {
    AssumeRoleRequest.Builder request =
        AssumeRoleRequest.builder()
            .roleArn(role.roleArn())
            .roleSessionName(SESSION_NAME)
            .durationSeconds((int) SESSION_DURATION.toSeconds());
    role.externalId().ifPresent(request::externalId);
    return StsAssumeRoleCredentialsProvider.builder()
        .stsClient(sts)
        .refreshRequest(request.build())
        .staleTime(Duration.ofMinutes(5))
        .prefetchTime(Duration.ofMinutes(10))
        .build();
  }

  @Override
  public void close() {
    providers.values().forEach(StsAssumeRoleCredentialsProvider::close);
    providers.clear();
    stsPool.shutdownNow();
  }
}
