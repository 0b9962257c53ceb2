package io.amifleet.common.queue;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.error.AwsErrors;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Creates the three queues of a prefix (for development, tests and single-machine mode; production
 * queues come from infra/hub-stack.yaml): {@code P-dlq}, then {@code P-jobs} redriving to it after
 * {@code maxReceiveCount} receives, then {@code P-results}. Creating existing queues with the same
 * attributes is a no-op, so the command is safe to repeat.
 */
public final class QueueAdmin {
  public static final int DEFAULT_MAX_RECEIVE_COUNT = 5;

  /** Workers extend visibility while they wait, so the queue default only covers the first step. */
  public static final Duration JOBS_VISIBILITY_TIMEOUT = Duration.ofMinutes(5);

  private static final Duration DLQ_RETENTION = Duration.ofDays(14);
  private static final Duration RESULTS_RETENTION = Duration.ofDays(4);

  private final SqsAsyncClient sqs;

  /** The URLs of a prefix's queues. */
  public record QueueUrls(String jobs, String results, String dlq) {}

  @Inject
  public QueueAdmin(SqsAsyncClient sqs) {
    this.sqs = requireNonNull(sqs, "sqs is null");
  }

  public QueueUrls create(String prefix, int maxReceiveCount) {
    requireNonNull(prefix, "prefix is null");
    if (maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new IllegalArgumentException("maxReceiveCount must be 1-1000");
    }
    String dlq =
        create(
            prefix + "-dlq",
            Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, seconds(DLQ_RETENTION)));
    String dlqArn = arn(dlq);
    String jobs =
        create(
            prefix + "-jobs",
            Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT,
                seconds(JOBS_VISIBILITY_TIMEOUT),
                QueueAttributeName.MESSAGE_RETENTION_PERIOD,
                seconds(DLQ_RETENTION),
                QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\""
                    + dlqArn
                    + "\",\"maxReceiveCount\":"
                    + maxReceiveCount
                    + "}"));
    String results =
        create(
            prefix + "-results",
            Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, seconds(RESULTS_RETENTION)));
    return new QueueUrls(jobs, results, dlq);
  }

  private String create(String name, Map<QueueAttributeName, String> attributes) {
    try {
      return sqs.createQueue(b -> b.queueName(name).attributes(attributes)).join().queueUrl();
    } catch (CompletionException e) {
      throw AwsErrors.translate(e, "CreateQueue " + name);
    }
  }

  private String arn(String url) {
    try {
      return sqs.getQueueAttributes(
              b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
          .join()
          .attributes()
          .get(QueueAttributeName.QUEUE_ARN);
    } catch (CompletionException e) {
      throw AwsErrors.translate(e, "GetQueueAttributes " + url);
    }
  }

  private static String seconds(Duration d) {
    return Long.toString(d.toSeconds());
  }
}
