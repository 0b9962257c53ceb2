package io.amifleet.worker.image;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * What DescribeImages says of one image.
 *
 * @param stateReason why it failed, when it did
 * @param ownerId the account that owns the image (DescribeImages always says)
 */
public record ImageInfo(
    String imageId,
    String name,
    ImageState state,
    String stateReason,
    List<String> snapshotIds,
    Map<String, String> tags,
    String creationDate,
    String description,
    String ownerId) {

  public ImageInfo {
    requireNonNull(imageId, "imageId is null");
    requireNonNull(state, "state is null");
    snapshotIds = List.copyOf(snapshotIds);
    tags = Map.copyOf(tags);
  }

  /** The same image, owned by {@code owner}. */
  public ImageInfo withOwner(String owner) {
    return new ImageInfo(
        imageId, name, state, stateReason, snapshotIds, tags, creationDate, description, owner);
  }

  public boolean available() {
    return state.available();
  }

  public boolean pending() {
    return state.pending();
  }

  /** Failed for good: nothing will make this image available. */
  public boolean broken() {
    return state.broken();
  }
}
