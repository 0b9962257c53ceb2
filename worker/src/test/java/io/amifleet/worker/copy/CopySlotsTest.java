package io.amifleet.worker.copy;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.aws.AccountRegion;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CopySlotsTest {
  private static final AccountRegion DR = new AccountRegion("111111111111", "eu-west-1");
  private static final AccountRegion OTHER = new AccountRegion("111111111111", "eu-central-1");

  @Test
  void aCopyBeyondTheLimitWaitsUntilOneEndsAndOtherDestinationsDoNotWait() {
    CopySlots slots = new CopySlots(2);
    CopySlots.Slot first = slots.acquire(DR).join();
    slots.acquire(DR).join();

    CompletableFuture<CopySlots.Slot> third = slots.acquire(DR);

    assertThat(third).isNotDone();
    assertThat(slots.acquire(OTHER)).isDone();
    first.release();
    assertThat(third).isDone();
    assertThat(slots.inUse(DR)).isEqualTo(2);
  }

  @Test
  void aSlotReleasedTwiceFreesOnlyOnePlace() {
    CopySlots slots = new CopySlots(1);
    CopySlots.Slot slot = slots.acquire(DR).join();
    slot.release();
    slot.release();

    slots.acquire(DR).join();

    assertThat(slots.acquire(DR)).isNotDone();
  }

  @Test
  void aWaiterThatGaveUpTakesNoSlot() {
    CopySlots slots = new CopySlots(1);
    CopySlots.Slot held = slots.acquire(DR).join();
    CompletableFuture<CopySlots.Slot> abandoned = slots.acquire(DR);
    abandoned.cancel(false);
    CompletableFuture<CopySlots.Slot> next = slots.acquire(DR);

    held.release();

    assertThat(next).isDone();
  }
}
