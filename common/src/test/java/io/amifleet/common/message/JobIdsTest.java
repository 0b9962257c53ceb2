package io.amifleet.common.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobIdsTest {
  private static final String RUN = "run-1";
  private static final String ACCOUNT = "111111111111";
  private static final String REGION = "us-east-1";
  private static final String INSTANCE = "i-0123456789abcdef0";

  @Test
  void jobIdIsThirtyTwoHexCharacters() {
    assertThat(JobIds.jobId(RUN, ACCOUNT, REGION, INSTANCE)).matches("[0-9a-f]{32}");
  }

  @Test
  void jobIdIsDeterministic() {
    assertThat(JobIds.jobId(RUN, ACCOUNT, REGION, INSTANCE))
        .isEqualTo(JobIds.jobId(RUN, ACCOUNT, REGION, INSTANCE));
  }

  /**
   * Pinned: a job re-dispatched by a newer release with the same run ID must get the same ID to
   * adopt the image already made. Expected value from {@code printf
   * 'run-1\n111111111111\nus-east-1\ni-0123456789abcdef0' | sha256sum | cut -c1-32}.
   */
  @Test
  void jobIdIsTheFirst128BitsOfSha256OverTheNewlineJoinedInputs() {
    assertThat(JobIds.jobId(RUN, ACCOUNT, REGION, INSTANCE))
        .isEqualTo("c2ac49db74f7429e175baf6c33fc9887");
  }

  @Test
  void jobIdDiffersWhenAnyInputDiffers() {
    Set<String> ids =
        Set.of(
            JobIds.jobId(RUN, ACCOUNT, REGION, INSTANCE),
            JobIds.jobId("run-2", ACCOUNT, REGION, INSTANCE),
            JobIds.jobId(RUN, "222222222222", REGION, INSTANCE),
            JobIds.jobId(RUN, ACCOUNT, "eu-west-1", INSTANCE),
            JobIds.jobId(RUN, ACCOUNT, REGION, "i-0123456789abcdef1"));

    assertThat(ids).hasSize(5);
  }

  @Test
  void jobIdDoesNotDependOnlyOnTheConcatenation() {
    assertThat(JobIds.jobId("run-1", "1", REGION, INSTANCE))
        .isNotEqualTo(JobIds.jobId("run-", "11", REGION, INSTANCE));
  }

  @Test
  void shortJobIdIsTheFirstEightCharacters() {
    assertThat(JobIds.shortJobId("c2ac49db74f7429e175baf6c33fc9887")).isEqualTo("c2ac49db");
    assertThat(JobIds.shortJobId("abc")).isEqualTo("abc");
  }

  @Test
  void runIdIsUtcTimestampAndFourHexDigits() {
    Clock clock = Clock.fixed(Instant.parse("2026-11-28T01:22:19Z"), ZoneOffset.UTC);

    assertThat(JobIds.newRunId(clock)).matches("20261128T012219Z-[0-9a-f]{6}");
  }

  @Test
  void runIdIsInUtcWhateverTheClocksZone() {
    Clock tokyo = Clock.fixed(Instant.parse("2026-11-28T23:22:19Z"), ZoneId.of("Asia/Tokyo"));

    assertThat(JobIds.newRunId(tokyo)).startsWith("20261128T232219Z-");
  }

  @Test
  void runIdsFromTheSameInstantDiffer() {
    Clock clock = Clock.fixed(Instant.parse("2026-11-28T01:22:19Z"), ZoneOffset.UTC);

    // The suffix has 24 random bits, so two calls collide once in 16.7 million. Ten calls with at
    // most one collision keeps the test meaningful (a constant or low-entropy suffix fails it)
    // without making it flaky.
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      ids.add(JobIds.newRunId(clock));
    }

    assertThat(ids).hasSizeGreaterThanOrEqualTo(9);
  }

  @Test
  void runIdIsAPlainId() {
    Clock clock = Clock.fixed(Instant.parse("2026-11-28T01:22:19Z"), ZoneOffset.UTC);

    assertThat(JobIds.newRunId(clock)).matches(Identifiers.PLAIN_ID);
  }
}
