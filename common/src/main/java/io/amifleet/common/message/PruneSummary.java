package io.amifleet.common.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What a prune job did in one account+region.
 *
 * @param deletedImageIds images deregistered (or, in a dry run, that would be)
 * @param deletedSnapshotIds their snapshots, deleted after the deregistration succeeded
 * @param keptSnapshots snapshots left, each with why ("snap-1: in use by ami-2")
 * @param keptImages amifleet's images kept by the policy
 * @param deprecatedImageIds images deprecated by this prune (EnableImageDeprecation)
 * @param keptImagesWhy images past the policy that stay, each with why ("ami-1: in use by instance
 *     i-2")
 * @param checksNotRun the usage checks that could not run, each with why; every image they could
 *     have kept was kept
 * @param checkCalls the API calls the usage checks made
 * @param notes what the operator should know (e.g. that Recycle Bin rules were not checked)
 */
public record PruneSummary(
    List<String> deletedImageIds,
    List<String> deletedSnapshotIds,
    List<String> keptSnapshots,
    int keptImages,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> deprecatedImageIds,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> keptImagesWhy,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> checksNotRun,
    int checkCalls,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> notes) {
  public PruneSummary {
    deletedImageIds = copy(deletedImageIds);
    deletedSnapshotIds = copy(deletedSnapshotIds);
    keptSnapshots = copy(keptSnapshots);
    deprecatedImageIds = copy(deprecatedImageIds);
    keptImagesWhy = copy(keptImagesWhy);
    checksNotRun = copy(checksNotRun);
    notes = copy(notes);
  }

  /** What a prune by count and age did, without usage checks or deprecation. */
  public PruneSummary(
      List<String> deletedImageIds,
      List<String> deletedSnapshotIds,
      List<String> keptSnapshots,
      int keptImages) {
    this(
        deletedImageIds,
        deletedSnapshotIds,
        keptSnapshots,
        keptImages,
        List.of(),
        List.of(),
        List.of(),
        0,
        List.of());
  }

  private static List<String> copy(List<String> list) {
    return list == null ? List.of() : List.copyOf(list);
  }
}
