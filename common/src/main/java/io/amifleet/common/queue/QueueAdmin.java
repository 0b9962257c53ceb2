package io.amifleet.common.queue;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.amifleet.common.error.AwsErrors;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * Brings the three queues of a prefix to amifleet's settings (for development, tests and
 * single-machine mode; production queues come from infra/cloudformation/hub-stack.yaml): {@code
 * P-dlq}, then {@code P-jobs} redriving to it after {@code maxReceiveCount} receives, then {@code
 * P-results}. It converges: a missing queue is created, an existing one whose settings differ is
 * updated with SetQueueAttributes (CreateQueue would refuse it with QueueAlreadyExists:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html), and
 * the report says which queue changed and how. Safe to repeat. Thread-safe (one call at a time per
 * prefix is assumed, as for any configuration tool).
 */
public final class QueueAdmin {
  public static final int DEFAULT_MAX_RECEIVE_COUNT = 5;

  /** Workers extend visibility while they wait, so the queue default only covers the first step. */
  public static final Duration JOBS_VISIBILITY_TIMEOUT = Duration.ofMinutes(5);

  private static final Duration DLQ_RETENTION = Duration.ofDays(14);
  private static final Duration RESULTS_RETENTION = Duration.ofDays(4);

  private final SqsAsyncClient sqs;
  private final ObjectMapper mapper;

  /** The URLs of a prefix's queues. */
  public record QueueUrls(String jobs, String results, String dlq) {}

  /** What happened to one queue. */
  public enum Action {
    CREATED,
    UPDATED,
    UNCHANGED
  }

  /**
   * One queue's outcome.
   *
   * @param changes for an update, each changed setting as {@code Name: old -> new}
   */
  public record QueueChange(String name, String url, Action action, List<String> changes) {
    public QueueChange {
      requireNonNull(name, "name is null");
      requireNonNull(url, "url is null");
      requireNonNull(action, "action is null");
      changes = List.copyOf(changes);
    }
  }

  /** What {@link #ensure} did, queue by queue (dlq, jobs, results). */
  public record Report(QueueUrls urls, List<QueueChange> queues) {
    public Report {
      requireNonNull(urls, "urls is null");
      queues = List.copyOf(queues);
    }

    public boolean changed() {
      return queues.stream().anyMatch(q -> q.action() != Action.UNCHANGED);
    }
  }

  @Inject
  public QueueAdmin(SqsAsyncClient sqs, ObjectMapper mapper) {
    this.sqs = requireNonNull(sqs, "sqs is null");
    this.mapper = requireNonNull(mapper, "mapper is null");
  }

  /** {@link #ensure}, for callers that need only the URLs. */
  public QueueUrls create(String prefix, int maxReceiveCount) {
    return ensure(prefix, maxReceiveCount).urls();
  }

  /** Creates what is missing and updates what differs; says what it did. */
  public Report ensure(String prefix, int maxReceiveCount) {
    requireNonNull(prefix, "prefix is null");
    if (maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new IllegalArgumentException("maxReceiveCount must be 1-1000");
    }
    List<QueueChange> changes = new ArrayList<>();
    QueueChange dlq =
        ensureQueue(
            prefix + "-dlq",
            Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, seconds(DLQ_RETENTION)));
    changes.add(dlq);
    String dlqArn = arn(dlq.url());
    Map<QueueAttributeName, String> jobsAttributes = new EnumMap<>(QueueAttributeName.class);
    jobsAttributes.put(QueueAttributeName.VISIBILITY_TIMEOUT, seconds(JOBS_VISIBILITY_TIMEOUT));
    jobsAttributes.put(QueueAttributeName.MESSAGE_RETENTION_PERIOD, seconds(DLQ_RETENTION));
    jobsAttributes.put(
        QueueAttributeName.REDRIVE_POLICY,
        "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":" + maxReceiveCount + "}");
    QueueChange jobs = ensureQueue(prefix + "-jobs", jobsAttributes);
    changes.add(jobs);
    QueueChange results =
        ensureQueue(
            prefix + "-results",
            Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, seconds(RESULTS_RETENTION)));
    changes.add(results);
    return new Report(new QueueUrls(jobs.url(), results.url(), dlq.url()), changes);
  }

  private QueueChange ensureQueue(String name, Map<QueueAttributeName, String> wanted) {
    Optional<String> existing = url(name);
    if (existing.isEmpty()) {
      try {
        String url = sqs.createQueue(b -> b.queueName(name).attributes(wanted)).join().queueUrl();
        return new QueueChange(name, url, Action.CREATED, List.of());
      } catch (CompletionException e) {
        throw AwsErrors.translate(e, "CreateQueue " + name);
      }
    }
    String url = existing.get();
    Map<QueueAttributeName, String> current;
    try {
      current =
          sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(wanted.keySet()))
              .join()
              .attributes();
    } catch (CompletionException e) {
      throw AwsErrors.translate(e, "GetQueueAttributes " + url);
    }
    Map<QueueAttributeName, String> differing = new LinkedHashMap<>();
    List<String> described = new ArrayList<>();
    for (Map.Entry<QueueAttributeName, String> e : wanted.entrySet()) {
      String have = current.get(e.getKey());
      if (!same(e.getKey(), have, e.getValue())) {
        differing.put(e.getKey(), e.getValue());
        described.add(describe(e.getKey(), have, e.getValue()));
      }
    }
    if (differing.isEmpty()) {
      return new QueueChange(name, url, Action.UNCHANGED, List.of());
    }
    try {
      sqs.setQueueAttributes(b -> b.queueUrl(url).attributes(differing)).join();
    } catch (CompletionException e) {
      throw AwsErrors.translate(e, "SetQueueAttributes " + url);
    }
    return new QueueChange(name, url, Action.UPDATED, described);
  }

  private Optional<String> url(String name) {
    try {
      return Optional.of(sqs.getQueueUrl(b -> b.queueName(name)).join().queueUrl());
    } catch (CompletionException e) {
      if (AwsErrors.unwrap(e) instanceof QueueDoesNotExistException
          || "AWS.SimpleQueueService.NonExistentQueue".equals(AwsErrors.errorCodeOf(e))
          || "QueueDoesNotExist".equals(AwsErrors.errorCodeOf(e))) {
        return Optional.empty();
      }
      throw AwsErrors.translate(e, "GetQueueUrl " + name);
    }
  }

  /** Redrive policies are compared by meaning: SQS may echo the count as a string. */
  private boolean same(QueueAttributeName name, String have, String want) {
    if (have == null) {
      return false;
    }
    if (name != QueueAttributeName.REDRIVE_POLICY) {
      return have.equals(want);
    }
    Optional<Redrive> a = redrive(have);
    Optional<Redrive> b = redrive(want);
    return a.isPresent() && a.equals(b);
  }

  private String describe(QueueAttributeName name, String have, String want) {
    if (name == QueueAttributeName.REDRIVE_POLICY) {
      Optional<Redrive> a = have == null ? Optional.empty() : redrive(have);
      Redrive b = redrive(want).orElseThrow();
      if (a.isPresent() && Objects.equals(a.get().target(), b.target())) {
        return "maxReceiveCount: " + a.get().maxReceiveCount() + " -> " + b.maxReceiveCount();
      }
      return "RedrivePolicy: "
          + a.map(r -> r.target() + " after " + r.maxReceiveCount()).orElse("none")
          + " -> "
          + b.target()
          + " after "
          + b.maxReceiveCount();
    }
    return name + ": " + (have == null ? "unset" : have) + " -> " + want;
  }

  private record Redrive(String target, int maxReceiveCount) {}

  private Optional<Redrive> redrive(String json) {
    try {
      JsonNode n = mapper.readTree(json);
      return Optional.of(
          new Redrive(n.path("deadLetterTargetArn").asText(), n.path("maxReceiveCount").asInt(-1)));
    } catch (IOException e) {
      return Optional.empty();
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
