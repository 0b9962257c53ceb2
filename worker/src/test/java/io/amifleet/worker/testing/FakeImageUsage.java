package io.amifleet.worker.testing;

import io.amifleet.common.config.Retention;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.prune.ImageUsage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * An {@link ImageUsage} that answers what the test set: uses by image, checks that cannot run.
 * Thread-safe.
 */
public final class FakeImageUsage implements ImageUsage {
  private final Map<String, List<String>> uses = new LinkedHashMap<>();
  private final List<String> failing = new ArrayList<>();
  private final List<Set<String>> asked = new ArrayList<>();

  /** {@code imageId} is kept by {@code by} ("in use by instance i-1"). */
  public synchronized FakeImageUsage used(String imageId, String by) {
    uses.computeIfAbsent(imageId, k -> new ArrayList<>()).add(by);
    return this;
  }

  /** A check that cannot run, with why. */
  public synchronized FakeImageUsage failing(String why) {
    failing.add(why);
    return this;
  }

  /** The candidates of each check, in order. */
  public synchronized List<Set<String>> asked() {
    return List.copyOf(asked);
  }

  @Override
  public synchronized CompletableFuture<Report> check(
      Ec2Target target, Set<String> imageIds, Retention retention) {
    asked.add(Set.copyOf(imageIds));
    Map<String, List<String>> found = new LinkedHashMap<>();
    uses.forEach(
        (image, by) -> {
          if (imageIds.contains(image)) {
            found.put(image, by);
          }
        });
    return CompletableFuture.completedFuture(
        new Report(found, failing, imageIds.size(), List.of()));
  }
}
