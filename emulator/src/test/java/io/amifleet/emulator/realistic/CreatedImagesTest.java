package io.amifleet.emulator.realistic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CreatedImagesTest {
  private final CreatedImages created = new CreatedImages();

  @Test
  void aSnapshotSinceAnEarlierOneHoldsOnlyTheImagesMadeInBetween() {
    created.add("111111111111", "us-east-1", 10, 4_000);
    CreatedImages.Snapshot before = created.snapshot();
    created.add("111111111111", "us-east-1", 20, 7_000);
    created.add("222222222222", "us-east-1", 30, 5_000);

    CreatedImages.Snapshot run = created.snapshot().since(before);

    assertThat(run.images())
        .extracting(CreatedImages.Made::pendingNanos)
        .containsExactly(7_000L, 5_000L);
    assertThat(run.pendingNanosByAccountRegion())
        .containsOnlyKeys("111111111111/us-east-1", "222222222222/us-east-1");
  }

  @Test
  void aResetForgetsTheImagesButNeverReusesASequence() {
    created.add("111111111111", "us-east-1", 10, 4_000);
    CreatedImages.Snapshot before = created.snapshot();
    created.clear();
    created.add("111111111111", "us-east-1", 20, 9_000);

    assertThat(created.snapshot().images()).hasSize(1);
    assertThat(created.snapshot().since(before).images())
        .extracting(CreatedImages.Made::pendingNanos)
        .containsExactly(9_000L);
  }

  @Test
  void pendingTimesPerAccountRegionAreInTheOrderThePendingClocksStarted() {
    // Recorded out of order (two event loops), as can happen: the order made is by time.
    created.add("111111111111", "us-east-1", 300, 3);
    created.add("111111111111", "us-east-1", 100, 1);
    created.add("111111111111", "eu-west-1", 150, 9);
    created.add("111111111111", "us-east-1", 200, 2);

    assertThat(created.snapshot().pendingNanosByAccountRegion())
        .containsEntry("111111111111/us-east-1", List.of(1L, 2L, 3L))
        .containsEntry("111111111111/eu-west-1", List.of(9L));
  }
}
