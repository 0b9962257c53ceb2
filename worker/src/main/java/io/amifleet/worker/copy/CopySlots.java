package io.amifleet.worker.copy;

import io.amifleet.common.aws.AccountRegion;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How many AMI copies this worker has in progress per destination account+region, at most {@code
 * perDestination}: EC2 limits concurrent AMI copies per destination Region and refuses more (the
 * issue's figure is 300; see "Copy an AMI" in the EC2 User Guide,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/CopyingAMIs.html). A slot is held from before
 * CopyImage until the copy leaves {@code pending}; a job waiting for one holds no thread. Several
 * workers share EC2's limit, so this keeps one worker from taking it all, and an answer
 * ResourceLimitExceeded beyond it is retried as any limit. Thread-safe.
 */
public final class CopySlots {
  private final int perDestination;
  private final ConcurrentMap<AccountRegion, Slots> slots = new ConcurrentHashMap<>();

  public CopySlots(int perDestination) {
    if (perDestination < 1) {
      throw new IllegalArgumentException("perDestination must be at least 1");
    }
    this.perDestination = perDestination;
  }

  /**
   * Completes with the slot, to be released once (more releases do nothing). Cancelling the
   * returned future gives up the wait; a slot given meanwhile is passed on.
   */
  public CompletableFuture<Slot> acquire(AccountRegion destination) {
    Slots s = slots.computeIfAbsent(destination, d -> new Slots(perDestination));
    CompletableFuture<Void> turn = s.acquire();
    CompletableFuture<Slot> slot = turn.thenApply(x -> new Slot(s));
    slot.whenComplete(
        (x, e) -> {
          if (slot.isCancelled() && !turn.cancel(false)) {
            s.release();
          }
        });
    return slot;
  }

  /** Copies in progress towards {@code destination}. */
  public int inUse(AccountRegion destination) {
    Slots s = slots.get(destination);
    return s == null ? 0 : s.inUse();
  }

  /** One held slot. */
  public static final class Slot {
    private final Slots owner;
    private final AtomicBoolean released = new AtomicBoolean();

    private Slot(Slots owner) {
      this.owner = owner;
    }

    public void release() {
      if (released.compareAndSet(false, true)) {
        owner.release();
      }
    }
  }

  private static final class Slots {
    private final int size;
    private int free;
    private final Deque<CompletableFuture<Void>> waiting = new ArrayDeque<>();

    Slots(int size) {
      this.size = size;
      this.free = size;
    }

    CompletableFuture<Void> acquire() {
      synchronized (this) {
        if (free > 0) {
          free--;
          return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> turn = new CompletableFuture<>();
        waiting.add(turn);
        return turn;
      }
    }

    void release() {
      CompletableFuture<Void> next;
      synchronized (this) {
        next = waiting.poll();
        while (next != null && next.isDone()) {
          // A waiter that gave up (its job was released) takes no slot.
          next = waiting.poll();
        }
        if (next == null) {
          free++;
          return;
        }
      }
      next.complete(null);
    }

    synchronized int inUse() {
      return size - free;
    }
  }
}
