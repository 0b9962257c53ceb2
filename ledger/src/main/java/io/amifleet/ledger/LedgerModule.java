package io.amifleet.ledger;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import io.amifleet.common.aws.AwsRuntime;
import io.amifleet.common.ledger.RunRecorder;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.ledger.complete.DeadLetterDepth;
import io.amifleet.ledger.complete.Notifier;
import io.amifleet.ledger.complete.RunCompletion;
import io.amifleet.ledger.complete.SnsNotifier;
import io.amifleet.ledger.dynamodb.DynamoDbRunLedger;
import io.amifleet.ledger.local.FileRunLedger;
import io.amifleet.ledger.report.FileReportStore;
import io.amifleet.ledger.report.ReportRenderer;
import io.amifleet.ledger.report.ReportStore;
import io.amifleet.ledger.report.S3ReportStore;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalLong;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * The run ledger and what completes runs: the ledger (DynamoDB when a table is given, else local
 * files), the report renderer and store, the notifier, and {@link RunCompletion}. Also binds the
 * dispatcher's {@link RunRecorder} to the ledger, so a dispatch with this module records its run.
 * The DynamoDB, S3 and SNS clients are made only when the settings use them, and closed by the
 * {@link Closer}. Needs the common and AWS modules; {@code CollectorModule} adds the consumer.
 */
public final class LedgerModule extends AbstractModule {
  private final LedgerSettings ledger;
  private final ReportSettings reports;

  public LedgerModule(LedgerSettings ledger, ReportSettings reports) {
    this.ledger = requireNonNull(ledger, "ledger is null");
    this.reports = requireNonNull(reports, "reports is null");
  }

  @Override
  protected void configure() {
    bind(LedgerSettings.class).toInstance(ledger);
    bind(ReportSettings.class).toInstance(reports);
    bind(ReportRenderer.class).in(Singleton.class);
    OptionalBinder.newOptionalBinder(binder(), RunRecorder.class).setBinding().to(RunLedger.class);
    OptionalBinder.newOptionalBinder(binder(), DeadLetterDepth.class)
        .setDefault()
        .toInstance(OptionalLong::empty);
  }

  @Provides
  @Singleton
  RunLedger ledger(
      LedgerSettings settings,
      AwsRuntime runtime,
      MessageCodec codec,
      ObjectMapper mapper,
      Clock clock,
      Closer closer) {
    if (settings.table().isEmpty()) {
      return new FileRunLedger(settings, mapper, clock);
    }
    var builder =
        runtime
            .configure(DynamoDbClient.builder(), RetryMode.STANDARD)
            .region(runtime.hubRegion())
            .httpClient(runtime.syncHttp());
    runtime.settings().hubCredentials().ifPresent(builder::credentialsProvider);
    DynamoDbClient dynamo = closer.register("DynamoDB client", builder.build());
    return new DynamoDbRunLedger(dynamo, settings, codec, mapper, clock);
  }

  @Provides
  @Singleton
  ReportStore reportStore(
      ReportSettings settings, LedgerSettings ledger, AwsRuntime runtime, Closer closer) {
    if (settings.bucket().isEmpty()) {
      return new FileReportStore(ledger.directory());
    }
    var builder =
        runtime
            .configure(S3Client.builder(), RetryMode.STANDARD)
            .region(runtime.hubRegion())
            .httpClient(runtime.syncHttp())
            // An emulator serves buckets by path, not as virtual hosts.
            .forcePathStyle(runtime.settings().endpoint().isPresent());
    runtime.settings().hubCredentials().ifPresent(builder::credentialsProvider);
    return new S3ReportStore(
        closer.register("S3 client", builder.build()), settings.bucket().get());
  }

  @Provides
  @Singleton
  Optional<Notifier> notifier(ReportSettings settings, AwsRuntime runtime, Closer closer) {
    if (settings.topicArn().isEmpty()) {
      return Optional.empty();
    }
    var builder =
        runtime
            .configure(SnsClient.builder(), RetryMode.STANDARD)
            .region(runtime.hubRegion())
            .httpClient(runtime.syncHttp());
    runtime.settings().hubCredentials().ifPresent(builder::credentialsProvider);
    SnsClient sns = closer.register("SNS client", builder.build());
    return Optional.of(new SnsNotifier(sns, settings.topicArn().get()));
  }

  @Provides
  @Singleton
  RunCompletion completion(
      RunLedger ledger,
      ReportRenderer renderer,
      ReportStore reports,
      Optional<Notifier> notifier,
      ReportSettings settings,
      DeadLetterDepth deadLetters,
      Clock clock) {
    return new RunCompletion(
        ledger, renderer, reports, notifier, settings.notifyPolicy(), deadLetters::get, clock);
  }
}
