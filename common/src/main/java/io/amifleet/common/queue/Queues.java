package io.amifleet.common.queue;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.config.ConfigException;
import io.amifleet.common.error.AwsErrors;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * Resolves the configured queues to URLs (GetQueueUrl for names, as-is for URLs), once each, on
 * first use. A missing queue is a configuration error that says how to create it. Thread-safe.
 */
public final class Queues {
  private final SqsAsyncClient sqs;
  private final QueueSettings settings;
  private final ConcurrentMap<String, String> urls = new ConcurrentHashMap<>();

  @Inject
  public Queues(SqsAsyncClient sqs, QueueSettings settings) {
    this.sqs = requireNonNull(sqs, "sqs is null");
    this.settings = requireNonNull(settings, "settings is null");
  }

  public String jobsUrl() {
    return url(settings.jobsRef());
  }

  public String resultsUrl() {
    return url(settings.resultsRef());
  }

  public String dlqUrl() {
    return url(settings.dlqRef());
  }

  public QueueSettings settings() {
    return settings;
  }

  private String url(String ref) {
    if (ref.startsWith("https://") || ref.startsWith("http://")) {
      return ref;
    }
    return urls.computeIfAbsent(ref, this::lookup);
  }

  private String lookup(String name) {
    try {
      return sqs.getQueueUrl(b -> b.queueName(name)).join().queueUrl();
    } catch (CompletionException e) {
      if (AwsErrors.unwrap(e) instanceof QueueDoesNotExistException
          || "AWS.SimpleQueueService.NonExistentQueue".equals(AwsErrors.errorCodeOf(e))) {
        throw new ConfigException(
            "queue '"
                + name
                + "' does not exist: create it with 'amifleet queues create --queue-prefix <P>' or"
                + " deploy infra/cloudformation/hub-stack.yaml");
      }
      throw AwsErrors.translate(e, "GetQueueUrl " + name);
    }
  }
}
