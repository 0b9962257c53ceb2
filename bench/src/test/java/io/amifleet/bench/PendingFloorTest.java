package io.amifleet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.emulator.realistic.CreatedImages;
import io.amifleet.emulator.realistic.RealismSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The floor of one realistic run: the CreateImage bucket and each image's drawn pending time. */
class PendingFloorTest {
  private static final long SECOND = 1_000_000_000L;

  private static List<Long> constant(int n, long pendingNanos) {
    return new ArrayList<>(Collections.nCopies(n, pendingNanos));
  }

  @Test
  void withinTheBurstTheFloorIsTheLongestPendingTime() {
    List<Long> first = constant(50, 4 * SECOND);
    first.set(17, 19 * SECOND);
    List<Long> second = List.of(7 * SECOND, 12_345_678_901L);

    assertThat(CompetitorGoals.pendingFloorMillis(List.of(first, second))).isEqualTo(19_000L);
    assertThat(CompetitorGoals.pendingFloorMillis(List.of(second))).isEqualTo(12_345L);
  }

  @Test
  void aHundredImagesOfEqualPendingWaitTheBucketThenThePendingOfTheLast() {
    // The 100th call comes (100 - 50) / 5 = 10 s in at the earliest, then pends 4 s.
    assertThat(CompetitorGoals.pendingFloorMillis(List.of(constant(100, 4 * SECOND))))
        .isEqualTo(14_000L);
    assertThat(CompetitorGoals.throttleFloorMillis(100)).isEqualTo(10_000L);
  }

  @Test
  void anEarlyImagesLongPendingCanOutlastTheLastImagesShortOne() {
    List<Long> made = constant(100, 4 * SECOND);
    made.set(59, 20 * SECOND); // the 60th: 2 s of bucket + 20 s = 22 s
    made.set(99, 4 * SECOND); // the 100th: 10 s + 4 s = 14 s

    assertThat(CompetitorGoals.pendingFloorMillis(List.of(made))).isEqualTo(22_000L);
  }

  @Test
  void eachAccountRegionHasItsOwnBucket() {
    // Two account+regions of 60 each: 2 s of bucket each, not the 14 s of 120 in one bucket.
    assertThat(
            CompetitorGoals.pendingFloorMillis(
                List.of(constant(60, 4 * SECOND), constant(60, 4 * SECOND))))
        .isEqualTo(6_000L);
  }

  @Test
  void aRunThatMadeNoImageHasNoFloor() {
    assertThat(CompetitorGoals.pendingFloorMillis(List.of())).isNull();
    assertThat(CompetitorGoals.pendingFloorMillis(List.of(List.of()))).isNull();
    assertThat(
            CompetitorGoals.pendingFloorMillis(
                RealismSettings.realistic(), new CreatedImages.Snapshot(List.of(), 0)))
        .isNull();
  }

  @Test
  void theLayersRecordCountsOnlyAtEc2sCreateImageBucket() {
    CreatedImages.Snapshot made =
        new CreatedImages.Snapshot(
            List.of(
                new CreatedImages.Made(0, "111111111111", "us-east-1", 100, 5 * SECOND),
                new CreatedImages.Made(1, "111111111111", "us-east-1", 200, 9 * SECOND)),
            2);

    assertThat(CompetitorGoals.pendingFloorMillis(RealismSettings.realistic(), made))
        .isEqualTo(9_000L);
    assertThat(CompetitorGoals.pendingFloorMillis(RealismSettings.permissive(), made)).isNull();
    assertThat(
            CompetitorGoals.pendingFloorMillis(
                RealismSettings.realistic().toBuilder()
                    .bucket("CreateImage", new RealismSettings.Bucket(100, 5))
                    .build(),
                made))
        .isNull();
  }

  @Test
  void theValueShowsWallAndFloorAndTheirRatio() {
    assertThat(CompetitorGoals.overFloor(32_000, 29_100)).isEqualTo("32.00 s / 29.10 s = 1.10x");
  }
}
