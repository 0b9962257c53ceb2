package io.amifleet.cli.options;

import io.amifleet.common.queue.QueueSettings;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Which queues: a prefix and/or each queue by name or URL, with environment defaults. One mixin per
 * flag, so that each command offers (and its {@code --help} lists) only the queues it uses: {@code
 * results} reads no DLQ, {@code dispatch} sends only jobs.
 */
public final class QueueOptions {
  private QueueOptions() {}

  /** {@code --queue-prefix P}: queues P-jobs, P-results and P-dlq. */
  public static final class Prefix {
    @Option(
        names = "--queue-prefix",
        paramLabel = "P",
        defaultValue = "${env:AMIFLEET_QUEUE_PREFIX}",
        description = "Use queues P-jobs, P-results and P-dlq (env AMIFLEET_QUEUE_PREFIX).")
    String value;

    public Optional<String> get() {
      return opt(value);
    }

    /** Sets the prefix (for a deprecated alias of the flag). */
    public void set(String prefix) {
      value = prefix;
    }
  }

  /** {@code --jobs-queue}. */
  public static final class Jobs {
    @Option(
        names = "--jobs-queue",
        paramLabel = "NAME|URL",
        defaultValue = "${env:AMIFLEET_JOBS_QUEUE}",
        description = "Jobs queue (env AMIFLEET_JOBS_QUEUE); wins over the prefix.")
    String value;
  }

  /** {@code --results-queue}. */
  public static final class Results {
    @Option(
        names = "--results-queue",
        paramLabel = "NAME|URL",
        defaultValue = "${env:AMIFLEET_RESULTS_QUEUE}",
        description = "Results queue (env AMIFLEET_RESULTS_QUEUE); wins over the prefix.")
    String value;
  }

  /** {@code --dlq}. */
  public static final class DeadLetters {
    @Option(
        names = "--dlq",
        paramLabel = "NAME|URL",
        defaultValue = "${env:AMIFLEET_DLQ}",
        description = "Dead-letter queue (env AMIFLEET_DLQ); wins over the prefix.")
    String value;
  }

  /** The queues given; {@code null} for a flag the command does not offer. */
  public static QueueSettings settings(
      Prefix prefix, Jobs jobs, Results results, DeadLetters deadLetters) {
    return new QueueSettings(
        prefix == null ? Optional.empty() : prefix.get(),
        jobs == null ? Optional.empty() : opt(jobs.value),
        results == null ? Optional.empty() : opt(results.value),
        deadLetters == null ? Optional.empty() : opt(deadLetters.value));
  }

  /** Whether any queue was given (flag or environment). */
  public static boolean anyGiven(QueueSettings settings) {
    return settings.prefix().isPresent()
        || settings.jobs().isPresent()
        || settings.results().isPresent()
        || settings.dlq().isPresent();
  }

  private static Optional<String> opt(String s) {
    return Optional.ofNullable(s).filter(v -> !v.isBlank());
  }
}
