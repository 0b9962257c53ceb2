package io.amifleet.worker.testing;

import com.google.inject.Injector;
import io.amifleet.common.aws.ApiCallStats;
import io.amifleet.common.aws.AwsSettings;
import io.amifleet.common.config.Environment;
import io.amifleet.common.inject.Bootstrap;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.message.JobIds;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.common.message.WorkItem;
import io.amifleet.common.queue.OutgoingMessage;
import io.amifleet.common.queue.QueueAdmin;
import io.amifleet.common.queue.QueueSender;
import io.amifleet.common.queue.QueueSettings;
import io.amifleet.common.queue.Queues;
import io.amifleet.common.queue.ResultsReader;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.Emulator;
import io.amifleet.worker.WorkerModule;
import io.amifleet.worker.WorkerSettings;
import io.amifleet.worker.image.ImageWaiter;
import io.amifleet.worker.lifecycle.Worker;
import io.amifleet.worker.outcome.WorkerEvents;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A worker wired as in production (Guice, SDK clients, SQS queues) against the test emulator, on
 * queues of its own, with helpers to send jobs and read results and the DLQ.
 */
public final class WorkerHarness implements AutoCloseable {
  public static final String REGION = "us-east-1";

  private final Closer closer = new Closer();
  private final Injector injector;
  private final String prefix;
  private final EventLog events = new EventLog();
  private final Worker worker;

  public WorkerHarness(
      Emulator emulator, WorkerSettings settings, List<ExecutionInterceptor> interceptors) {
    this(emulator.endpoint(), Optional.empty(), settings, interceptors, 1);
  }

  public WorkerHarness(
      URI endpoint,
      Optional<URI> sqsEndpoint,
      WorkerSettings settings,
      List<ExecutionInterceptor> interceptors,
      int consumers) {
    this(
        endpoint,
        sqsEndpoint,
        "t" + UUID.randomUUID().toString().substring(0, 8),
        settings,
        interceptors,
        consumers);
  }

  /** A worker on the queues of {@code prefix} (created when missing). */
  public WorkerHarness(
      URI endpoint,
      Optional<URI> sqsEndpoint,
      String prefix,
      WorkerSettings settings,
      List<ExecutionInterceptor> interceptors,
      int consumers) {
    this.prefix = prefix;
    AwsSettings aws =
        AwsSettings.defaults()
            .withRegion(REGION)
            .withEndpoint(endpoint)
            .withHubCredentials(EmulatedAws.hubCredentials())
            .withInterceptors(interceptors);
    if (sqsEndpoint.isPresent()) {
      aws = aws.withSqsEndpoint(sqsEndpoint.get());
    }
    injector =
        Bootstrap.of(Environment.of(Map.of()), closer)
            .aws(aws)
            .queues(QueueSettings.ofPrefix(prefix))
            .install(
                new WorkerModule(settings, consumers, events),
                binder -> binder.bind(io.amifleet.worker.dlq.DeadLetters.class))
            .start();
    injector.getInstance(QueueAdmin.class).create(prefix, 5);
    worker = injector.getInstance(Worker.class);
  }

  public WorkerHarness start() {
    worker.start();
    return this;
  }

  public Worker worker() {
    return worker;
  }

  public String prefix() {
    return prefix;
  }

  public EventLog events() {
    return events;
  }

  public ApiCallStats stats() {
    return injector.getInstance(ApiCallStats.class);
  }

  public ImageWaiter waiter() {
    return injector.getInstance(ImageWaiter.class);
  }

  public <T> T get(Class<T> type) {
    return injector.getInstance(type);
  }

  public Queues queues() {
    return injector.getInstance(Queues.class);
  }

  public static JobMessage job(String runId, String accountId, String instanceId) {
    String jobId = JobIds.jobId(runId, accountId, REGION, instanceId);
    return JobMessage.of(
        jobId,
        runId,
        accountId,
        REGION,
        "arn:aws:iam::" + accountId + ":role/AmiFleetCreator",
        "test-external-id",
        instanceId,
        "test-" + instanceId + "-" + JobIds.shortJobId(jobId),
        false,
        Map.of("Purpose", "test"),
        true,
        Instant.now());
  }

  public void send(JobMessage... jobs) {
    MessageCodec codec = injector.getInstance(MessageCodec.class);
    List<OutgoingMessage> messages = new ArrayList<>();
    for (JobMessage j : jobs) {
      messages.add(OutgoingMessage.of(codec.encode(j)));
    }
    sendRaw(messages);
  }

  public void send(List<JobMessage> jobs) {
    send(jobs.toArray(new JobMessage[0]));
  }

  public void sendRaw(List<OutgoingMessage> messages) {
    var report = injector.getInstance(QueueSender.class).sendAll(queues().jobsUrl(), messages);
    if (!report.failures().isEmpty()) {
      throw new AssertionError("could not send jobs: " + report.failures());
    }
  }

  /** Reads this run's results until {@code expect} distinct jobs reported (or the timeout). */
  public List<ResultMessage> results(String runId, int expect, Duration timeout) {
    return injector
        .getInstance(ResultsReader.class)
        .read(
            new ResultsReader.Request(Optional.of(runId), expect, timeout, timeout, true), r -> {})
        .results();
  }

  /**
   * Every result message of this run, one by one, until {@code count} were read (or the timeout):
   * not de-duplicated by job ID as {@link #results} is, for tests that count each delivery's
   * result. Consumes what it reads.
   */
  public List<ResultMessage> resultMessages(String runId, int count, Duration timeout) {
    SqsAsyncClient sqs = injector.getInstance(SqsAsyncClient.class);
    MessageCodec codec = injector.getInstance(MessageCodec.class);
    String url = queues().resultsUrl();
    List<ResultMessage> read = new ArrayList<>();
    long end = System.nanoTime() + timeout.toNanos();
    while (read.size() < count && System.nanoTime() < end) {
      for (Message m :
          sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1))
              .join()
              .messages()) {
        ResultMessage r = codec.decodeResult(m.body());
        if (r.runId().equals(runId)) {
          read.add(r);
          sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle())).join();
        }
      }
    }
    return read;
  }

  /** Every message now in the DLQ, with its attributes, left in place (visibility restored). */
  public List<Message> deadLetters() {
    SqsAsyncClient sqs = injector.getInstance(SqsAsyncClient.class);
    String url = queues().dlqUrl();
    List<Message> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      List<Message> got =
          sqs.receiveMessage(
                  b ->
                      b.queueUrl(url)
                          .maxNumberOfMessages(10)
                          .waitTimeSeconds(0)
                          .visibilityTimeout(30)
                          .messageAttributeNames("All")
                          .messageSystemAttributeNames(MessageSystemAttributeName.ALL))
              .join()
              .messages();
      if (got.isEmpty()) {
        break;
      }
      all.addAll(got);
    }
    for (Message m : all) {
      sqs.changeMessageVisibility(
              b -> b.queueUrl(url).receiptHandle(m.receiptHandle()).visibilityTimeout(0))
          .join();
    }
    return all;
  }

  /** ApproximateNumberOfMessages + NotVisible of the jobs queue. */
  public int jobsQueueDepth() {
    var attrs =
        injector
            .getInstance(SqsAsyncClient.class)
            .getQueueAttributes(
                b ->
                    b.queueUrl(queues().jobsUrl())
                        .attributeNames(
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
            .join()
            .attributes();
    return Integer.parseInt(attrs.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
        + Integer.parseInt(
            attrs.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
  }

  @Override
  public void close() {
    worker.shutdown();
    closer.close();
  }

  /** Records worker events for assertions. Thread-safe. */
  public static final class EventLog implements WorkerEvents {
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void jobStarted(WorkItem job, int attempt) {
      log.add("started " + job.jobId() + " " + attempt);
    }

    @Override
    public void imageRequested(JobMessage job, String imageId, boolean adopted) {
      log.add((adopted ? "adopted " : "created ") + job.jobId() + " " + imageId);
    }

    @Override
    public void jobFinished(ResultMessage result) {
      log.add("finished " + result.jobId() + " " + result.status());
    }

    @Override
    public void jobRetrying(
        WorkItem job, io.amifleet.common.error.AmiFleetException error, Duration delay) {
      log.add("retrying " + job.jobId() + " " + error.errorCode());
    }

    @Override
    public void movedToDeadLetter(String errorCode, String reason) {
      log.add("dlq " + errorCode);
    }

    public List<String> entries() {
      synchronized (log) {
        return List.copyOf(log);
      }
    }

    public long count(String prefix) {
      return entries().stream().filter(e -> e.startsWith(prefix)).count();
    }
  }
}
