package io.amifleet.common.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.amifleet.common.config.ConfigException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QueueSettingsTest {
  private static final String JOBS_URL =
      "https://sqs.us-east-1.amazonaws.com/123456789012/custom-jobs";

  @Test
  void prefixNamesAllThreeQueues() {
    QueueSettings settings = QueueSettings.ofPrefix("amifleet-dev");

    assertThat(settings.jobsRef()).isEqualTo("amifleet-dev-jobs");
    assertThat(settings.resultsRef()).isEqualTo("amifleet-dev-results");
    assertThat(settings.dlqRef()).isEqualTo("amifleet-dev-dlq");
  }

  @Test
  void explicitQueueWinsOverPrefix() {
    QueueSettings settings =
        new QueueSettings(
            Optional.of("amifleet-dev"),
            Optional.of(JOBS_URL),
            Optional.empty(),
            Optional.of("shared-dlq"));

    assertThat(settings.jobsRef()).isEqualTo(JOBS_URL);
    assertThat(settings.resultsRef()).isEqualTo("amifleet-dev-results");
    assertThat(settings.dlqRef()).isEqualTo("shared-dlq");
  }

  @Test
  void explicitQueuesWorkWithoutPrefix() {
    QueueSettings settings =
        new QueueSettings(Optional.empty(), Optional.of("j"), Optional.of("r"), Optional.of("d"));

    assertThat(settings.jobsRef()).isEqualTo("j");
    assertThat(settings.resultsRef()).isEqualTo("r");
    assertThat(settings.dlqRef()).isEqualTo("d");
  }

  @Test
  void blankExplicitQueueFallsBackToPrefix() {
    QueueSettings settings =
        new QueueSettings(Optional.of("p"), Optional.of(" "), Optional.of(""), Optional.empty());

    assertThat(settings.jobsRef()).isEqualTo("p-jobs");
    assertThat(settings.resultsRef()).isEqualTo("p-results");
  }

  @Test
  void missingJobsQueueNamesTheFlagsAndEnvironmentVariables() {
    QueueSettings none =
        new QueueSettings(Optional.empty(), Optional.empty(), Optional.of("r"), Optional.of("d"));

    Throwable thrown = catchThrowable(none::jobsRef);

    assertThat(thrown)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("no jobs queue")
        .hasMessageContaining("--queue-prefix")
        .hasMessageContaining("AMIFLEET_QUEUE_PREFIX")
        .hasMessageContaining("--jobs-queue")
        .hasMessageContaining("AMIFLEET_JOBS_QUEUE");
  }

  @Test
  void missingResultsQueueNamesItsFlagAndEnvironmentVariable() {
    QueueSettings none =
        new QueueSettings(Optional.empty(), Optional.of("j"), Optional.empty(), Optional.of("d"));

    assertThat(catchThrowable(none::resultsRef))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--results-queue")
        .hasMessageContaining("AMIFLEET_RESULTS_QUEUE");
  }

  @Test
  void missingDlqNamesItsFlagAndEnvironmentVariable() {
    QueueSettings none =
        new QueueSettings(Optional.empty(), Optional.of("j"), Optional.of("r"), Optional.empty());

    assertThat(catchThrowable(none::dlqRef))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--dlq ")
        .hasMessageContaining("AMIFLEET_DLQ");
  }

  @Test
  void blankPrefixCountsAsMissing() {
    QueueSettings blank = QueueSettings.ofPrefix("  ");

    assertThat(catchThrowable(blank::jobsRef)).isInstanceOf(ConfigException.class);
  }
}
