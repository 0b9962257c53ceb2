package io.amifleet.worker.copy;

import static java.util.Objects.requireNonNull;

import io.amifleet.worker.image.Ec2Target;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The EC2 calls a disaster-recovery copy needs beyond those of {@link
 * io.amifleet.worker.image.ImageService}: CopyImage in the destination, and the sharing of the
 * source image and its snapshots with a vault account ({@link Ec2CopyService} over the SDK).
 * Futures fail with {@link io.amifleet.common.error.AmiFleetException}.
 */
public interface CopyService {
  /** CopyImage, called in {@code destination} (its account and region); returns the copy's ID. */
  CompletableFuture<String> copyImage(Ec2Target destination, CopyCall call);

  /**
   * Lets {@code account} launch the image and create volumes from its snapshots (launch permission,
   * createVolumePermission), as a copy into that account needs.
   */
  CompletableFuture<Void> share(
      Ec2Target source, String imageId, List<String> snapshotIds, String account);

  /** Takes back what {@link #share} gave; taking back what was never given counts as done. */
  CompletableFuture<Void> unshare(
      Ec2Target source, String imageId, List<String> snapshotIds, String account);

  /**
   * One CopyImage request.
   *
   * @param clientToken makes CopyImage idempotent: the same token gives the same copy
   * @param kmsKeyId when present, the copy is encrypted with it (Encrypted=true)
   * @param tags put on the copy and its snapshots in the same call (TagSpecifications), so that a
   *     copy is never without the tags that find it again
   */
  record CopyCall(
      String sourceImageId,
      String sourceRegion,
      String name,
      String description,
      String clientToken,
      Optional<String> kmsKeyId,
      Map<String, String> tags) {
    public CopyCall {
      requireNonNull(sourceImageId, "sourceImageId is null");
      requireNonNull(sourceRegion, "sourceRegion is null");
      requireNonNull(name, "name is null");
      requireNonNull(clientToken, "clientToken is null");
      requireNonNull(kmsKeyId, "kmsKeyId is null");
      tags = Map.copyOf(tags);
    }
  }
}
