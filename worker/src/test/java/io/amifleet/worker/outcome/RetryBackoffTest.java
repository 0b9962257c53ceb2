package io.amifleet.worker.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {
  private static final int SAMPLES = 500;

  private static List<Duration> samples(RetryBackoff backoff, int receiveCount) {
    return IntStream.range(0, SAMPLES).mapToObj(i -> backoff.delay(receiveCount)).toList();
  }

  @Test
  void delayStaysWithinHalfAndAllOfBaseTimesTwoToTheRetries() {
    RetryBackoff backoff = new RetryBackoff(Duration.ofSeconds(10), Duration.ofHours(1));

    for (int receiveCount = 1; receiveCount <= 6; receiveCount++) {
      Duration full = Duration.ofSeconds(10L << (receiveCount - 1));
      assertThat(samples(backoff, receiveCount))
          .as("receive %d", receiveCount)
          .allSatisfy(d -> assertThat(d).isBetween(full.dividedBy(2), full));
    }
  }

  @Test
  void delayGrowsWithTheReceiveCount() {
    RetryBackoff backoff = new RetryBackoff(Duration.ofSeconds(10), Duration.ofHours(1));

    for (int receiveCount = 1; receiveCount < 6; receiveCount++) {
      Duration longestNow = samples(backoff, receiveCount).stream().max(Duration::compareTo).get();
      Duration shortestNext =
          samples(backoff, receiveCount + 1).stream().min(Duration::compareTo).get();
      assertThat(shortestNext)
          .as("receive %d", receiveCount + 1)
          .isGreaterThanOrEqualTo(longestNow);
    }
    assertThat(backoff.delay(6)).isGreaterThan(backoff.delay(1).multipliedBy(8));
  }

  @Test
  void delayIsCappedAtTheMaximum() {
    Duration max = Duration.ofMinutes(15);
    RetryBackoff backoff = new RetryBackoff(Duration.ofSeconds(10), max);

    for (int receiveCount : new int[] {8, 20, 64, 1000, Integer.MAX_VALUE}) {
      assertThat(samples(backoff, receiveCount))
          .as("receive %d", receiveCount)
          .allSatisfy(d -> assertThat(d).isBetween(max.dividedBy(2), max));
    }
  }

  @Test
  void delayIsJitteredSoAFleetDoesNotComeBackInStep() {
    RetryBackoff backoff = new RetryBackoff(Duration.ofSeconds(10), Duration.ofHours(1));

    Set<Duration> distinct = new HashSet<>(samples(backoff, 3));

    assertThat(distinct).hasSizeGreaterThan(SAMPLES / 2);
  }
}
