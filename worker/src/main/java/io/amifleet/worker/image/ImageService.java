package io.amifleet.worker.image;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The EC2 operations a worker needs, in the target account ({@link Ec2AsyncImageService} over the
 * SDK). Futures fail with {@link io.amifleet.common.error.AmiFleetException}.
 */
public interface ImageService {
  /** Completes once the target's role has been assumed (AssumeRole, cached per role). */
  CompletableFuture<Void> ready(Ec2Target target);

  /**
   * Images owned by the account carrying tag {@code amifleet:job-id} with one of {@code jobIds} (at
   * most 200, EC2's limit of values per filter).
   */
  CompletableFuture<List<ImageInfo>> findByJobIds(Ec2Target target, List<String> jobIds);

  /** Images owned by the account with exactly this name. */
  CompletableFuture<List<ImageInfo>> findByName(Ec2Target target, String name);

  /**
   * Those of {@code instanceIds} (at most 200) that exist, by instance ID, with their tags and
   * devices; a missing instance is simply absent from the answer.
   */
  CompletableFuture<Map<String, InstanceInfo>> instances(
      Ec2Target target, List<String> instanceIds);

  /** CreateImage; returns the new image ID. */
  CompletableFuture<String> createImage(Ec2Target target, ImageRequest request);

  /** DescribeImages for all {@code imageIds}: one call per 1,000 of them (EC2's limit). */
  CompletableFuture<Lookup> describe(Ec2Target target, Collection<String> imageIds);

  /** DeregisterImage; an image that is not registered (any more) counts as done. */
  CompletableFuture<Void> deregister(Ec2Target target, String imageId);

  /** Every image the account owns in the region (all pages). */
  CompletableFuture<List<ImageInfo>> ownedImages(Ec2Target target);

  /** The account's snapshots tagged {@code amifleet:managed=true} (all pages). */
  CompletableFuture<List<SnapshotInfo>> managedSnapshots(Ec2Target target);

  /**
   * EnableImageDeprecation: the image is deprecated from {@code at} (EC2 rounds it to the minute
   * and refuses a time in the past).
   */
  CompletableFuture<Void> deprecate(Ec2Target target, String imageId, Instant at);

  /** DeleteSnapshot; fails with {@code InvalidSnapshot.NotFound} for one that is gone. */
  CompletableFuture<Void> deleteSnapshot(Ec2Target target, String snapshotId);

  /**
   * A snapshot, its tags and its description (for a snapshot CreateImage made, EC2 writes {@code
   * Created by CreateImage(i-...) for ami-...}), and the size of its volume in GiB (null when not
   * known).
   */
  record SnapshotInfo(
      String snapshotId, Map<String, String> tags, String description, Integer volumeSizeGib) {
    public SnapshotInfo {
      tags = Map.copyOf(tags);
    }

    public SnapshotInfo(String snapshotId, Map<String, String> tags, String description) {
      this(snapshotId, tags, description, null);
    }
  }

  /**
   * The answer to {@link #describe}: the images EC2 returned, and the IDs it said do not exist
   * (yet: a just-created image may not be visible at once, EC2 being eventually consistent).
   */
  record Lookup(List<ImageInfo> images, Set<String> notFound) {
    public Lookup {
      images = List.copyOf(images);
      notFound = Set.copyOf(notFound);
    }
  }
}
