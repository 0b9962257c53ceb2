package io.amifleet.common.message;

import java.util.List;

/**
 * What a prune job did in one account+region.
 *
 * @param deletedImageIds images deregistered (or, in a dry run, that would be)
 * @param deletedSnapshotIds their snapshots, deleted after the deregistration succeeded
 * @param keptSnapshots snapshots left, each with why ("snap-1: in use by ami-2")
 * @param keptImages amifleet's images kept by the policy
 */
public record PruneSummary(
    List<String> deletedImageIds,
    List<String> deletedSnapshotIds,
    List<String> keptSnapshots,
    int keptImages) {
  public PruneSummary {
    deletedImageIds = deletedImageIds == null ? List.of() : List.copyOf(deletedImageIds);
    deletedSnapshotIds = deletedSnapshotIds == null ? List.of() : List.copyOf(deletedSnapshotIds);
    keptSnapshots = keptSnapshots == null ? List.of() : List.copyOf(keptSnapshots);
  }
}
