package io.amifleet.ledger.collect;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.queue.QueueSettings;
import io.amifleet.common.queue.Queues;
import io.amifleet.ledger.RunLedger;
import io.amifleet.ledger.complete.DeadLetterDepth;
import io.amifleet.ledger.complete.RunCompletion;
import java.time.Clock;
import java.util.OptionalLong;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.batchmanager.SqsAsyncBatchManager;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The collector ({@code amifleet collect}): {@link Collector} over the results queue, and the DLQ's
 * depth for run summaries when a DLQ is configured. Needs the ledger's, AWS and queue modules.
 */
public final class CollectorModule extends AbstractModule {
  private final Collector.Settings settings;

  public CollectorModule(Collector.Settings settings) {
    this.settings = requireNonNull(settings, "settings is null");
  }

  @Override
  protected void configure() {
    bind(Collector.Settings.class).toInstance(settings);
    OptionalBinder.newOptionalBinder(binder(), DeadLetterDepth.class)
        .setBinding()
        .to(SqsDeadLetterDepth.class);
  }

  @Provides
  @Singleton
  Collector collector(
      SqsAsyncClient sqs,
      SqsAsyncBatchManager batches,
      Queues queues,
      MessageCodec codec,
      RunLedger ledger,
      RunCompletion completion,
      Clock clock,
      Collector.Settings settings) {
    return new Collector(sqs, batches, queues, codec, ledger, completion, clock, settings);
  }

  /** ApproximateNumberOfMessages of the DLQ; empty when none is configured or it cannot be read. */
  static final class SqsDeadLetterDepth implements DeadLetterDepth {
    private final SqsAsyncClient sqs;
    private final Queues queues;
    private final QueueSettings configured;

    @jakarta.inject.Inject
    SqsDeadLetterDepth(SqsAsyncClient sqs, Queues queues) {
      this.sqs = requireNonNull(sqs, "sqs is null");
      this.queues = requireNonNull(queues, "queues is null");
      this.configured = queues.settings();
    }

    @Override
    public OptionalLong get() {
      if (configured.dlq().isEmpty() && configured.prefix().isEmpty()) {
        return OptionalLong.empty();
      }
      try {
        String url = queues.dlqUrl();
        String n =
            sqs.getQueueAttributes(
                    b ->
                        b.queueUrl(url)
                            .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                .join()
                .attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
        return n == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(n));
      } catch (RuntimeException e) {
        return OptionalLong.empty();
      }
    }
  }
}
