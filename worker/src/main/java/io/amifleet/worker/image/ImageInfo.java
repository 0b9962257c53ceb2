package io.amifleet.worker.image;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * What DescribeImages says of one image.
 *
 * @param stateReason why it failed, when it did
 * @param ownerId the account that owns the image (DescribeImages always says)
 * @param deprecationTime when the image is (or was) deprecated, as DescribeImages says it; null
 *     when it is not
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
    String ownerId,
    String deprecationTime) {

  public ImageInfo {
    requireNonNull(imageId, "imageId is null");
    requireNonNull(state, "state is null");
    snapshotIds = List.copyOf(snapshotIds);
    tags = Map.copyOf(tags);
  }

  /** An image that is not deprecated. */
  public ImageInfo(
      String imageId,
      String name,
      ImageState state,
      String stateReason,
      List<String> snapshotIds,
      Map<String, String> tags,
      String creationDate,
      String description,
      String ownerId) {
    this(
        imageId,
        name,
        state,
        stateReason,
        snapshotIds,
        tags,
        creationDate,
        description,
        ownerId,
        null);
  }

  /** The same image, owned by {@code owner}. */
  public ImageInfo withOwner(String owner) {
    return new ImageInfo(
        imageId,
        name,
        state,
        stateReason,
        snapshotIds,
        tags,
        creationDate,
        description,
        owner,
        deprecationTime);
  }

  /** The same image, deprecated from {@code time} (as DescribeImages writes it). */
  public ImageInfo withDeprecationTime(String time) {
    return new ImageInfo(
        imageId,
        name,
        state,
        stateReason,
        snapshotIds,
        tags,
        creationDate,
        description,
        ownerId,
        time);
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
