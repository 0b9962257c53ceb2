package io.amifleet.worker.prune;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.config.Retention;
import io.amifleet.worker.image.Ec2Target;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Whether images are still in use in their account and region, asked before retention lets any of
 * them go ({@link AwsImageUsage} over the SDK). Futures do not fail: a check that cannot run is
 * reported in {@link Report#notRun}, and the caller keeps every image it could have kept.
 */
public interface ImageUsage {
  /** Checks {@code imageIds} of {@code target} as {@code retention} says (shares, paths, ...). */
  CompletableFuture<Report> check(Ec2Target target, Set<String> imageIds, Retention retention);

  /**
   * What the checks found.
   *
   * @param usedBy per image in use, every use found ("in use by instance i-1 (running)", "in use by
   *     launch template lt-1 (web):v3", "in use by asg web (launch configuration web-v2)", "shared
   *     with 222222222222", "named in parameter /amis/web/latest")
   * @param notRun the checks that could not run, each with why ("launch templates: could not check:
   *     AccessDenied ...")
   * @param calls the API calls the checks made (each page counts)
   * @param notes what the operator should know that is not about one image
   */
  record Report(
      Map<String, List<String>> usedBy, List<String> notRun, int calls, List<String> notes) {
    public Report {
      Map<String, List<String>> copy = new LinkedHashMap<>();
      requireNonNull(usedBy, "usedBy is null").forEach((k, v) -> copy.put(k, List.copyOf(v)));
      usedBy = Collections.unmodifiableMap(copy);
      notRun = List.copyOf(notRun);
      notes = List.copyOf(notes);
    }

    /** Nothing checked, nothing found: for a prune with no image past its policy. */
    public static Report nothingToCheck() {
      return new Report(Map.of(), List.of(), 0, List.of());
    }

    /**
     * Why {@code imageId} must stay: its uses, or the checks that could not run; empty when it is
     * proved unused.
     */
    public List<String> keeps(String imageId) {
      List<String> uses = usedBy.getOrDefault(imageId, List.of());
      return uses.isEmpty() ? notRun : uses;
    }
  }
}
