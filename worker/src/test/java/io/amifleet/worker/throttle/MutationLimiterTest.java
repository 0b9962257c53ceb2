package io.amifleet.worker.throttle;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.aws.AccountRegion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MutationLimiterTest {
  private static final AccountRegion A = new AccountRegion("111111111111", "us-east-1");
  private static final AccountRegion B = new AccountRegion("222222222222", "us-east-1");

  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

  @AfterEach
  void stopScheduler() {
    scheduler.shutdownNow();
  }

  /** Acquires {@code n} tokens at once; returns when each was granted, in ms since {@code t0}. */
  private static List<CompletableFuture<Long>> acquire(
      MutationLimiter limiter, AccountRegion where, int n, long t0) {
    List<CompletableFuture<Long>> granted = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      granted.add(
          limiter
              .acquire(where, MutationLimiter.CREATE_IMAGE)
              .thenApply(x -> (System.nanoTime() - t0) / 1_000_000));
    }
    return granted;
  }

  @Test
  void burstIsGrantedAtOnceAndTheRestAtTheRate() throws Exception {
    // 2/s: one token per 500 ms after a burst of 5. The slow rate keeps the test true on a loaded
    // machine: token 6 is not due until 500 ms after the bucket was made, far longer than the nine
    // acquire calls take even when the CPU is shared (a 20/s rate failed there).
    MutationLimiter limiter = new MutationLimiter(2, 5, scheduler);
    long t0 = System.nanoTime();

    List<CompletableFuture<Long>> granted = acquire(limiter, A, 9, t0);

    for (int i = 0; i < 5; i++) {
      assertThat(granted.get(i)).as("burst token %d", i).isCompleted();
    }
    assertThat(granted.get(5)).isNotDone();
    List<Long> later = new ArrayList<>();
    for (int i = 5; i < 9; i++) {
      later.add(granted.get(i).get(10, SECONDS));
    }
    for (int k = 0; k < later.size(); k++) {
      long due = 500L * (k + 1);
      // never early; late by at most what a loaded scheduler thread may lag
      assertThat(later.get(k))
          .as("token %d (due at %d ms)", k + 6, due)
          .isBetween(due - 20, due + 1500);
    }
  }

  @Test
  void accountRegionsDoNotShareABucket() throws Exception {
    // 2/s: once A's burst is used, its next token is 500 ms away
    MutationLimiter limiter = new MutationLimiter(2, 2, scheduler);
    long t0 = System.nanoTime();
    List<CompletableFuture<Long>> inA = acquire(limiter, A, 3, t0);

    List<CompletableFuture<Long>> inB = acquire(limiter, B, 2, t0);
    List<CompletableFuture<Long>> inOtherRegion =
        acquire(limiter, new AccountRegion("111111111111", "eu-west-1"), 2, t0);

    assertThat(inA.get(2)).isNotDone();
    assertThat(inB).allSatisfy(f -> assertThat(f).isCompleted());
    assertThat(inOtherRegion).allSatisfy(f -> assertThat(f).isCompleted());
    assertThat(inA.get(2).get(3, SECONDS)).isGreaterThanOrEqualTo(400L);
  }

  @Test
  void rateAndBurstMustBePositive() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MutationLimiter(0, 5, scheduler))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MutationLimiter(5, 0, scheduler))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
