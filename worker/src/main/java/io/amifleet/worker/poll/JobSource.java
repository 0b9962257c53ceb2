package io.amifleet.worker.poll;

import static java.util.Objects.requireNonNull;

import io.amifleet.worker.WorkerSettings;
import io.amifleet.worker.job.JobProcessor;
import io.amifleet.worker.outcome.JobOutcome;
import io.amifleet.worker.outcome.OutcomeRouter;
import io.amifleet.worker.outcome.ResultSink;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs queue as a {@link MessageSource}: received with the visibility timeout, each job run by
 * the {@link JobProcessor}, up to {@code --concurrency} held per consumer (waiting images
 * included). Thread-safe.
 */
public final class JobSource implements MessageSource {
  private static final Logger log = LoggerFactory.getLogger(JobSource.class);

  private final JobQueue queue;
  private final ResultSink results;
  private final JobProcessor processor;
  private final OutcomeRouter router;
  private final WorkerSettings settings;

  @Inject
  public JobSource(
      JobQueue queue,
      ResultSink results,
      JobProcessor processor,
      OutcomeRouter router,
      WorkerSettings settings) {
    this.queue = requireNonNull(queue, "queue is null");
    this.results = requireNonNull(results, "results is null");
    this.processor = requireNonNull(processor, "processor is null");
    this.router = requireNonNull(router, "router is null");
    this.settings = requireNonNull(settings, "settings is null");
  }

  @Override
  public String name() {
    return "jobs";
  }

  @Override
  public int capacity() {
    return settings.concurrency();
  }

  @Override
  public void prepare() {
    // Look up the queues and the redrive policy now: a wrong queue fails here, before any job,
    // and no completion callback ever blocks on a look-up.
    queue.prepare();
    results.prepare();
  }

  @Override
  public String describe() {
    int maxReceives = queue.maxReceiveCount();
    return "jobs (concurrency "
        + settings.concurrency()
        + " per consumer, maxReceiveCount "
        + (maxReceives == Integer.MAX_VALUE ? "none" : maxReceives)
        + ")";
  }

  @Override
  public CompletableFuture<List<Delivery>> receive(int max, Duration wait) {
    return queue
        .receive(max, wait, settings.visibilityTimeout())
        .thenApply(jobs -> jobs.stream().map(this::delivery).toList());
  }

  @Override
  public void releaseHeld() {
    processor.releaseAll();
  }

  private Delivery delivery(ReceivedJob job) {
    return new Delivery() {
      @Override
      public CompletableFuture<Void> handle() {
        try {
          return processor.process(job);
        } catch (RuntimeException e) {
          log.error("processing message {} failed unexpectedly", job.messageId(), e);
          return release();
        }
      }

      @Override
      public CompletableFuture<Void> release() {
        return router.route(job, null, new JobOutcome.Release());
      }

      @Override
      public String id() {
        return job.messageId();
      }
    };
  }
}
