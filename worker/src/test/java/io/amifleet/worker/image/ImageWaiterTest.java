package io.amifleet.worker.image;

import static io.amifleet.worker.testing.FakeImageService.Operation.DESCRIBE;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amifleet.common.aws.RoleKey;
import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.error.ErrorCodes;
import io.amifleet.testing.MutableClock;
import io.amifleet.worker.testing.AwsFailures;
import io.amifleet.worker.testing.FakeImageService;
import io.amifleet.worker.testing.TestImages;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ImageWaiterTest {
  private static final Instant START = Instant.parse("2026-11-28T02:00:00Z");
  private static final Instant FAR = START.plus(Duration.ofHours(4));
  private static final Ec2Target A = target("111111111111");
  private static final Ec2Target B = target("222222222222");

  private final FakeImageService images = new FakeImageService();
  private final MutableClock clock = new MutableClock(START);

  /** One thread: a poll's completions have run before the next poll starts. */
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  private final ImageWaiter waiter =
      new ImageWaiter(images, timer, clock, Duration.ofMillis(20), Duration.ofMillis(1));

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  private static Ec2Target target(String account) {
    return new Ec2Target(
        RoleKey.of("arn:aws:iam::" + account + ":role/AmiFleetCreator", null),
        account,
        "us-east-1");
  }

  private static void eventually(BooleanSupplier condition) {
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(2))
        .until(condition::getAsBoolean);
  }

  /**
   * Waits until {@code target} has seen {@code more} further polls, each fully evaluated but the
   * last.
   */
  private void pollsPass(Ec2Target target, int more) {
    long seen = images.count(DESCRIBE, target);
    eventually(() -> images.count(DESCRIBE, target) >= seen + more);
  }

  private static AmiFleetException failureOf(CompletableFuture<?> future) {
    Throwable t = future.handle((v, e) -> e).orTimeout(5, SECONDS).join();
    assertThat(t).as("the wait should have failed").isNotNull();
    return (AmiFleetException) AwsErrors.unwrap(t);
  }

  @Test
  void manyImagesOfOneTargetAreCheckedWithOneDescribePerPoll() throws Exception {
    List<String> ids = List.of("ami-1", "ami-2", "ami-3", "ami-4", "ami-5");
    ids.forEach(id -> images.put(A, TestImages.image(id, "available")));
    // Hold the timer so that every wait is registered before the first poll.
    CountDownLatch registered = new CountDownLatch(1);
    timer.execute(
        () -> {
          try {
            registered.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    List<CompletableFuture<ImageInfo>> waits = new ArrayList<>();
    ids.forEach(id -> waits.add(waiter.await(A, id, FAR)));
    registered.countDown();

    CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).get(5, SECONDS);

    assertThat(images.describeRequests(A)).hasSize(1);
    assertThat(images.describeRequests(A).get(0)).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(waiter.pollCount()).isEqualTo(1);
  }

  @Test
  void pendingImagesCostOneDescribePerPollNotOnePerImage() throws Exception {
    List<String> ids = List.of("ami-1", "ami-2", "ami-3");
    ids.forEach(id -> images.put(A, TestImages.image(id, "pending")));
    List<CompletableFuture<ImageInfo>> waits = new ArrayList<>();
    ids.forEach(id -> waits.add(waiter.await(A, id, FAR)));
    eventually(() -> images.describeRequests(A).stream().anyMatch(r -> r.size() == 3));
    pollsPass(A, 3);

    ids.forEach(id -> images.setState(A, id, "available", null));
    CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).get(5, SECONDS);

    assertThat(images.count(DESCRIBE, A)).isEqualTo(waiter.pollCount());
    List<List<String>> requests = images.describeRequests(A);
    assertThat(requests.get(requests.size() - 1)).containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void twoTargetsPollIndependently() throws Exception {
    images.put(A, TestImages.image("ami-a", "available"));
    images.put(B, TestImages.image("ami-b", "available"));
    images.hold(DESCRIBE, A);

    CompletableFuture<ImageInfo> inA = waiter.await(A, "ami-a", FAR);
    CompletableFuture<ImageInfo> inB = waiter.await(B, "ami-b", FAR);

    // B's answer does not wait for A's describe, which is still unanswered.
    assertThat(inB.get(5, SECONDS).imageId()).isEqualTo("ami-b");
    assertThat(inA).isNotDone();
    images.release(DESCRIBE);
    assertThat(inA.get(5, SECONDS).imageId()).isEqualTo("ami-a");
    assertThat(images.describeRequests(A)).allSatisfy(r -> assertThat(r).containsExactly("ami-a"));
    assertThat(images.describeRequests(B)).allSatisfy(r -> assertThat(r).containsExactly("ami-b"));
  }

  @Test
  void availableImageCompletesTheWaitWithItsInfo() throws Exception {
    ImageInfo image = TestImages.image("ami-1", "pending");
    images.put(A, image);
    CompletableFuture<ImageInfo> wait = waiter.await(A, "ami-1", FAR);
    pollsPass(A, 2);
    assertThat(wait).isNotDone();

    images.setState(A, "ami-1", "available", null);

    assertThat(wait.get(5, SECONDS)).isEqualTo(images.image(A, "ami-1"));
    assertThat(wait.get().available()).isTrue();
    assertThat(wait.get().snapshotIds()).isEqualTo(image.snapshotIds());
  }

  @Test
  void failedImageFailsTheWaitWithItsIdAndStateReason() {
    images.put(A, TestImages.failed("ami-1", "Snapshot creation failed: internal error"));

    AmiFleetException e = failureOf(waiter.await(A, "ami-1", FAR));

    assertThat(e).isInstanceOf(ImageException.class);
    assertThat(e.errorCode()).isEqualTo(ErrorCodes.IMAGE_FAILED);
    assertThat(((ImageException) e).imageId()).isEqualTo("ami-1");
    assertThat(e.getMessage())
        .contains("ami-1", "failed", "Snapshot creation failed: internal error");
  }

  @Test
  void imageStillPendingAfterTheDeadlineTimesOut() {
    images.put(A, TestImages.image("ami-1", "pending"));
    CompletableFuture<ImageInfo> wait = waiter.await(A, "ami-1", START.plus(Duration.ofHours(1)));
    pollsPass(A, 2);
    assertThat(wait).isNotDone();

    clock.advance(Duration.ofMinutes(61));

    AmiFleetException e = failureOf(wait);
    assertThat(e.errorCode()).isEqualTo(ErrorCodes.IMAGE_TIMED_OUT);
    assertThat(((ImageException) e).imageId()).isEqualTo("ami-1");
  }

  @Test
  void imageNotFoundKeepsWaitingWithinTheGraceAndFailsAfterIt() {
    CompletableFuture<ImageInfo> wait = waiter.await(A, "ami-new", FAR);
    pollsPass(A, 2);
    clock.advance(ImageWaiter.NOT_FOUND_GRACE.minusSeconds(1));
    pollsPass(A, 2);
    assertThat(wait).isNotDone();

    clock.advance(Duration.ofSeconds(2));

    AmiFleetException e = failureOf(wait);
    assertThat(e.errorCode()).isEqualTo(ErrorCodes.IMAGE_FAILED);
    assertThat(((ImageException) e).imageId()).isEqualTo("ami-new");
    assertThat(e.getMessage()).contains("does not exist");
  }

  @Test
  void imageThatBecomesVisibleWithinTheGraceIsAwaitedNormally() throws Exception {
    CompletableFuture<ImageInfo> wait = waiter.await(A, "ami-new", FAR);
    pollsPass(A, 2);
    clock.advance(ImageWaiter.NOT_FOUND_GRACE.minusMinutes(1));
    pollsPass(A, 2);

    images.put(A, TestImages.image("ami-new", "available"));

    assertThat(wait.get(5, SECONDS).imageId()).isEqualTo("ami-new");
  }

  @Test
  void retryableDescribeErrorKeepsWaiting() throws Exception {
    images.put(A, TestImages.image("ami-1", "available"));
    images.fail(DESCRIBE, AwsFailures.translated("RequestLimitExceeded", 503, "DescribeImages"));
    CompletableFuture<ImageInfo> wait = waiter.await(A, "ami-1", FAR);
    pollsPass(A, 3);
    assertThat(wait).isNotDone();

    images.heal(DESCRIBE);

    assertThat(wait.get(5, SECONDS).imageId()).isEqualTo("ami-1");
  }

  @Test
  void permanentDescribeErrorFailsEveryImageOfThatTargetOnly() throws Exception {
    images.put(A, TestImages.image("ami-1", "pending"));
    images.put(A, TestImages.image("ami-2", "pending"));
    images.put(B, TestImages.image("ami-b", "pending"));
    images.fail(
        DESCRIBE, A, AwsFailures.translated("UnauthorizedOperation", 403, "DescribeImages"));

    CompletableFuture<ImageInfo> one = waiter.await(A, "ami-1", FAR);
    CompletableFuture<ImageInfo> two = waiter.await(A, "ami-2", FAR);
    CompletableFuture<ImageInfo> other = waiter.await(B, "ami-b", FAR);

    assertThat(failureOf(one).errorCode()).isEqualTo("UnauthorizedOperation");
    assertThat(failureOf(two).errorCode()).isEqualTo("UnauthorizedOperation");
    pollsPass(B, 2);
    assertThat(other).isNotDone();
    images.setState(B, "ami-b", "available", null);
    assertThat(other.get(5, SECONDS).imageId()).isEqualTo("ami-b");
  }

  @Test
  void aCancelledWaitIsDroppedAndCostsNoMoreCalls() {
    images.put(A, TestImages.image("ami-1", "pending"));
    images.put(A, TestImages.image("ami-2", "pending"));
    CompletableFuture<ImageInfo> released = waiter.await(A, "ami-1", FAR);
    CompletableFuture<ImageInfo> kept = waiter.await(A, "ami-2", FAR);
    pollsPass(A, 1);

    released.cancel(false);
    pollsPass(A, 2);

    List<List<String>> requests = images.describeRequests(A);
    assertThat(requests.get(requests.size() - 1)).containsExactly("ami-2");
    assertThat(kept).isNotDone();

    kept.cancel(false);
    eventually(() -> waiter.waitingCount() == 0);
    long calls = images.count(DESCRIBE, A);
    sleep(Duration.ofMillis(100));
    assertThat(images.count(DESCRIBE, A)).as("no poll for waits given up").isEqualTo(calls);
  }

  @Test
  void anImageEventChecksItsAccountRegionAtOnceInsteadOfAtTheNextInterval() throws Exception {
    ImageWaiter slow =
        new ImageWaiter(images, timer, clock, Duration.ofHours(1), Duration.ofMillis(1));
    images.put(A, TestImages.image("ami-1", "pending"));
    images.put(B, TestImages.image("ami-b", "pending"));
    CompletableFuture<ImageInfo> inA = slow.await(A, "ami-1", FAR);
    CompletableFuture<ImageInfo> inB = slow.await(B, "ami-b", FAR);
    eventually(() -> images.count(DESCRIBE, A) == 1 && images.count(DESCRIBE, B) == 1);
    images.setState(A, "ami-1", "available", null);
    long callsInB = images.count(DESCRIBE, B);

    slow.changed(B.accountRegion(), "ami-unknown"); // nobody waits on it: no call
    slow.changed(A.accountRegion(), "ami-1");

    assertThat(inA.get(5, SECONDS).imageId()).isEqualTo("ami-1");
    assertThat(images.count(DESCRIBE, B)).isEqualTo(callsInB);
    assertThat(inB).isNotDone();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void twoWaitsOnTheSameImageBothComplete() throws Exception {
    images.put(A, TestImages.image("ami-1", "pending"));
    CompletableFuture<ImageInfo> first = waiter.await(A, "ami-1", FAR);
    CompletableFuture<ImageInfo> second = waiter.await(A, "ami-1", FAR);
    assertThat(waiter.waitingCount()).isEqualTo(2);
    pollsPass(A, 2);

    images.setState(A, "ami-1", "available", null);

    assertThat(first.get(5, SECONDS).imageId()).isEqualTo("ami-1");
    assertThat(second.get(5, SECONDS).imageId()).isEqualTo("ami-1");
    assertThat(images.describeRequests(A)).allSatisfy(r -> assertThat(r).containsExactly("ami-1"));
    assertThat(waiter.waitingCount()).isZero();
  }
}
