package io.amifleet.cli.options;

import io.amifleet.common.queue.QueueSettings;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Which queues: a prefix and/or each queue by name or URL, with environment defaults. */
public final class QueueOptions {
  @Option(
      names = "--queue-prefix",
      paramLabel = "P",
      defaultValue = "${env:AMIFLEET_QUEUE_PREFIX}",
      description = "Use queues P-jobs, P-results and P-dlq (env AMIFLEET_QUEUE_PREFIX).")
  String prefix;

  @Option(
      names = "--jobs-queue",
      paramLabel = "NAME|URL",
      defaultValue = "${env:AMIFLEET_JOBS_QUEUE}",
      description = "Jobs queue (env AMIFLEET_JOBS_QUEUE); wins over the prefix.")
  String jobs;

  @Option(
      names = "--results-queue",
      paramLabel = "NAME|URL",
      defaultValue = "${env:AMIFLEET_RESULTS_QUEUE}",
      description = "Results queue (env AMIFLEET_RESULTS_QUEUE); wins over the prefix.")
  String results;

  @Option(
      names = "--dlq",
      paramLabel = "NAME|URL",
      defaultValue = "${env:AMIFLEET_DLQ}",
      description = "Dead-letter queue (env AMIFLEET_DLQ); wins over the prefix.")
  String dlq;

  public QueueSettings settings() {
    return new QueueSettings(opt(prefix), opt(jobs), opt(results), opt(dlq));
  }

  public boolean anyGiven() {
    return opt(prefix).isPresent()
        || opt(jobs).isPresent()
        || opt(results).isPresent()
        || opt(dlq).isPresent();
  }

  private static Optional<String> opt(String s) {
    return Optional.ofNullable(s).filter(v -> !v.isBlank());
  }
}
