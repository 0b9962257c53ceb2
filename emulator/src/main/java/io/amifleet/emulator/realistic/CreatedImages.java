package io.amifleet.emulator.realistic;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The images CreateImage made through the layer (not CopyImage's, not calls throttled or refused),
 * each with its account, region, when its pending clock started and the pending time the layer drew
 * for it: what a benchmark needs to know the least time any client could have finished in. Read as
 * a {@link Snapshot}; {@link Snapshot#since} keeps what one run made. Thread-safe: an image costs
 * one short synchronized append.
 */
public final class CreatedImages {
  /**
   * One image CreateImage made.
   *
   * @param sequence its place among the images recorded since the layer started (resets included:
   *     never reused)
   * @param account the caller's account
   * @param region the call's region
   * @param madeAtNanos {@code System.nanoTime()} when moto had answered and the image's pending
   *     clock started (its CreateImage took its bucket token before that)
   * @param pendingNanos the real time it stays pending from then, as drawn (timeScale applied; 0
   *     without {@link Rule#PENDING_IMAGES}); a failing image ends failed after it
   */
  public record Made(
      long sequence, String account, String region, long madeAtNanos, long pendingNanos) {}

  /**
   * A copy of the record.
   *
   * @param images in the order they were recorded
   * @param next the sequence the next image will get
   */
  public record Snapshot(List<Made> images, long next) {
    public Snapshot {
      images = List.copyOf(images);
    }

    /** The images recorded after {@code earlier} was taken. */
    public Snapshot since(Snapshot earlier) {
      return new Snapshot(
          images.stream().filter(m -> m.sequence() >= earlier.next()).toList(), next);
    }

    /**
     * The pending times in nanoseconds per {@code account/region}, each list in the order the
     * images' pending clocks started: the order they were made. (Two event loops can record two
     * images in the other order; sorting by the time keeps the k-th image of the list no earlier
     * than the k-th CreateImage token.)
     */
    public Map<String, List<Long>> pendingNanosByAccountRegion() {
      Map<String, List<Made>> by = new LinkedHashMap<>();
      for (Made m : images) {
        by.computeIfAbsent(m.account() + '/' + m.region(), k -> new ArrayList<>()).add(m);
      }
      Map<String, List<Long>> out = new LinkedHashMap<>();
      by.forEach(
          (ar, made) -> {
            long origin = made.get(0).madeAtNanos(); // nanoTime values compare by difference
            Comparator<Made> byTime = Comparator.comparingLong(m -> m.madeAtNanos() - origin);
            out.put(
                ar,
                made.stream()
                    .sorted(byTime.thenComparingLong(Made::sequence))
                    .map(Made::pendingNanos)
                    .toList());
          });
      return out;
    }
  }

  private final List<Made> made = new ArrayList<>();
  private long next;

  synchronized void add(String account, String region, long madeAtNanos, long pendingNanos) {
    made.add(new Made(next++, account, region, madeAtNanos, pendingNanos));
  }

  synchronized Snapshot snapshot() {
    return new Snapshot(made, next);
  }

  /** Forgets the images (their sequences are not reused). */
  synchronized void clear() {
    made.clear();
  }
}
