package io.amifleet.common.inject;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.amifleet.common.aws.ApiCallStats;
import io.amifleet.common.aws.AwsRuntime;
import io.amifleet.common.aws.AwsSettings;
import io.amifleet.common.aws.Ec2Clients;
import io.amifleet.common.aws.HubIdentity;
import io.amifleet.common.aws.RoleCredentials;
import io.amifleet.common.aws.SsmClients;
import io.amifleet.common.aws.Threads;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.queue.QueueAdmin;
import io.amifleet.common.queue.QueueSender;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.batchmanager.SqsAsyncBatchManager;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The AWS clients of a command. SQS and STS use the hub's credentials (the SDK chain unless a test
 * overrides them); EC2 clients come from {@link Ec2Clients} with assumed-role credentials. Every
 * client is registered with the {@link Closer}.
 */
public final class AwsModule extends AbstractModule {
  /** How long a batchable SQS call may wait for companions before its batch is sent. */
  public static final Duration BATCH_WINDOW = Duration.ofMillis(250);

  private final AwsSettings settings;

  public AwsModule(AwsSettings settings) {
    this.settings = requireNonNull(settings, "settings is null");
  }

  @Override
  protected void configure() {
    bind(AwsSettings.class).toInstance(settings);
    bind(ApiCallStats.class).in(Singleton.class);
    bind(QueueSender.class).in(Singleton.class);
    bind(QueueAdmin.class).in(Singleton.class);
    bind(HubIdentity.class).in(Singleton.class);
  }

  @Provides
  @Singleton
  AwsRuntime runtime(AwsSettings settings, ApiCallStats stats, Closer closer) {
    return closer.register("AWS runtime", new AwsRuntime(settings, stats));
  }

  @Provides
  @Singleton
  SqsAsyncClient sqs(AwsRuntime runtime, Closer closer) {
    var builder =
        runtime
            .configure(SqsAsyncClient.builder(), RetryMode.STANDARD)
            .region(runtime.hubRegion())
            .httpClient(runtime.asyncHttp())
            .asyncConfiguration(runtime.asyncConfiguration());
    runtime.settings().sqsEndpoint().ifPresent(builder::endpointOverride);
    runtime.settings().hubCredentials().ifPresent(builder::credentialsProvider);
    if (runtime.settings().sqsEndpoint().isPresent()
        && runtime.settings().hubCredentials().isEmpty()) {
      // The embedded queue ignores credentials; it must not fail for want of them.
      builder.credentialsProvider(
          StaticCredentialsProvider.create(AwsBasicCredentials.create("embedded", "embedded")));
    }
    return closer.register("SQS client", builder.build());
  }

  /**
   * The SDK's automatic batcher for SendMessage, DeleteMessage and ChangeMessageVisibility: calls
   * made within {@link #BATCH_WINDOW} go out as one batch call of up to ten entries.
   */
  @Provides
  @Singleton
  SqsAsyncBatchManager sqsBatches(SqsAsyncClient sqs, AwsRuntime runtime, Closer closer) {
    return closer.register(
        "SQS batch manager",
        SqsAsyncBatchManager.builder()
            .client(sqs)
            .scheduledExecutor(runtime.scheduler())
            .overrideConfiguration(b -> b.maxBatchSize(10).sendRequestFrequency(BATCH_WINDOW))
            .build());
  }

  @Provides
  @Singleton
  StsClient sts(AwsRuntime runtime, Closer closer) {
    var builder =
        runtime
            .configure(StsClient.builder(), RetryMode.STANDARD)
            .region(runtime.hubRegion())
            .httpClient(runtime.syncHttp());
    runtime.settings().hubCredentials().ifPresent(builder::credentialsProvider);
    return closer.register("STS client", builder.build());
  }

  @Provides
  @Singleton
  RoleCredentials roleCredentials(StsClient sts, Closer closer) {
    var pool =
        new ThreadPoolExecutor(
            4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), Threads.named("amifleet-sts"));
    pool.allowCoreThreadTimeOut(true);
    return closer.register("role credentials", new RoleCredentials(sts, pool));
  }

  @Provides
  @Singleton
  Ec2Clients ec2Clients(AwsRuntime runtime, RoleCredentials credentials, Closer closer) {
    return closer.register("EC2 clients", new Ec2Clients(runtime, credentials));
  }

  @Provides
  @Singleton
  SsmClients ssmClients(AwsRuntime runtime, RoleCredentials credentials, Closer closer) {
    return closer.register("SSM clients", new SsmClients(runtime, credentials));
  }
}
