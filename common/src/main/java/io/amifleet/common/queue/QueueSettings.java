package io.amifleet.common.queue;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.config.ConfigException;
import java.util.Optional;

/**
 * Which queues to use: a prefix {@code P} meaning {@code P-jobs}, {@code P-results} and {@code
 * P-dlq}, and/or each queue by name or URL (an explicit queue wins over the prefix).
 */
public record QueueSettings(
    Optional<String> prefix,
    Optional<String> jobs,
    Optional<String> results,
    Optional<String> dlq) {

  public QueueSettings {
    requireNonNull(prefix, "prefix is null");
    requireNonNull(jobs, "jobs is null");
    requireNonNull(results, "results is null");
    requireNonNull(dlq, "dlq is null");
  }

  public static QueueSettings ofPrefix(String prefix) {
    return new QueueSettings(
        Optional.of(prefix), Optional.empty(), Optional.empty(), Optional.empty());
  }

  public String jobsRef() {
    return ref(jobs, "jobs", "--jobs-queue", "AMIFLEET_JOBS_QUEUE");
  }

  public String resultsRef() {
    return ref(results, "results", "--results-queue", "AMIFLEET_RESULTS_QUEUE");
  }

  public String dlqRef() {
    return ref(dlq, "dlq", "--dlq", "AMIFLEET_DLQ");
  }

  private String ref(Optional<String> explicit, String suffix, String flag, String env) {
    return explicit
        .filter(s -> !s.isBlank())
        .or(() -> prefix.filter(s -> !s.isBlank()).map(p -> p + "-" + suffix))
        .orElseThrow(
            () ->
                new ConfigException(
                    "no "
                        + suffix
                        + " queue: give --queue-prefix (env AMIFLEET_QUEUE_PREFIX) or "
                        + flag
                        + " (env "
                        + env
                        + ")"));
  }
}
