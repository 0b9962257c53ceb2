package io.amifleet.common.aws;

import static java.util.Objects.requireNonNull;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsAsyncClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.config.ClientAsyncConfiguration;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * What every SDK client of a process shares: one async (Netty) and one sync (Apache) HTTP client,
 * one scheduler for retries and timeouts, one small pool that completes futures. Sharing them keeps
 * a worker with clients for hundreds of accounts at a few dozen threads.
 *
 * <p>Owns all of it and closes it in {@link #close()}; the service clients built with {@link
 * #configure} do not close what they share. Thread-safe.
 */
public final class AwsRuntime implements AutoCloseable {
  private final AwsSettings settings;
  private final ApiCallStats stats;
  private final EventLoopGroup eventLoops;
  private final SdkAsyncHttpClient asyncHttp;
  private final SdkHttpClient syncHttp;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService completions;

  public AwsRuntime(AwsSettings settings, ApiCallStats stats) {
    this.settings = requireNonNull(settings, "settings is null");
    this.stats = requireNonNull(stats, "stats is null");
    // Our own event loop group, so that close() can use a short quiet period instead of 2 s.
    this.eventLoops = new NioEventLoopGroup(2, Threads.named("amifleet-net"));
    this.asyncHttp =
        NettyNioAsyncHttpClient.builder()
            .maxConcurrency(settings.maxConnections())
            .connectionAcquisitionTimeout(Duration.ofSeconds(60))
            .maxPendingConnectionAcquires(100_000)
            .eventLoopGroup(SdkEventLoopGroup.create(eventLoops))
            .build();
    this.syncHttp = Apache5HttpClient.builder().maxConnections(16).build();
    ScheduledThreadPoolExecutor s =
        new ScheduledThreadPoolExecutor(2, Threads.named("amifleet-sdk-timer"));
    s.setRemoveOnCancelPolicy(true);
    this.scheduler = s;
    this.completions =
        new ThreadPoolExecutor(
            4, 4, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), Threads.named("amifleet-aws"));
  }

  public AwsSettings settings() {
    return settings;
  }

  public ApiCallStats stats() {
    return stats;
  }

  public SdkAsyncHttpClient asyncHttp() {
    return asyncHttp;
  }

  public SdkHttpClient syncHttp() {
    return syncHttp;
  }

  public ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** The executor that completes SDK futures: callbacks on it must not block. */
  public ExecutorService completions() {
    return completions;
  }

  /** The hub region: {@code --region}, else the SDK's region chain. */
  public Region hubRegion() {
    return settings
        .region()
        .map(Region::of)
        .orElseGet(
            () -> {
              try {
                return new DefaultAwsRegionProviderChain().getRegion();
              } catch (RuntimeException e) {
                throw new io.amifleet.common.config.ConfigException(
                    "no AWS region: set AWS_REGION, a profile region, or --region");
              }
            });
  }

  /** Applies the shared settings to a client builder: endpoint, interceptors, metrics, retries. */
  public <B extends AwsClientBuilder<B, ?>> B configure(B builder, RetryMode retryMode) {
    settings.endpoint().ifPresent(builder::endpointOverride);
    builder.overrideConfiguration(
        ClientOverrideConfiguration.builder()
            .executionInterceptors(settings.interceptors())
            .addMetricPublisher(stats)
            .scheduledExecutorService(scheduler)
            .retryStrategy(retryMode)
            .apiCallTimeout(Duration.ofMinutes(2))
            .build());
    return builder;
  }

  /**
   * An async client of any service in {@code region}, signing with {@code credentials}: the shared
   * settings ({@link #configure}, standard retries), the shared HTTP client and completion pool.
   * The one place every role's client is built (EC2, SSM, Auto Scaling, Recycle Bin, KMS).
   */
  public <B extends AwsAsyncClientBuilder<B, C> & AwsClientBuilder<B, C>, C> C asyncClient(
      B builder, AwsCredentialsProvider credentials, String region) {
    return configure(builder, RetryMode.STANDARD)
        .region(Region.of(region))
        .credentialsProvider(credentials)
        .httpClient(asyncHttp())
        .asyncConfiguration(asyncConfiguration())
        .build();
  }

  /** The async configuration that makes a client complete futures on the shared pool. */
  public ClientAsyncConfiguration asyncConfiguration() {
    return ClientAsyncConfiguration.builder()
        .advancedOption(SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR, completions)
        .build();
  }

  @Override
  public void close() {
    asyncHttp.close();
    eventLoops.shutdownGracefully(100, 2_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
    syncHttp.close();
    scheduler.shutdownNow();
    completions.shutdownNow();
  }
}
