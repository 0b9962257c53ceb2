package io.amifleet.worker.testing;

import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.Tags;
import io.amifleet.worker.image.ImageDescription;
import io.amifleet.worker.image.ImageInfo;
import io.amifleet.worker.image.ImageState;
import io.amifleet.worker.image.ImageTags;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link ImageInfo}s as DescribeImages would report them. Their owner is left out: {@link
 * FakeImageService} sets it to the account an image is put in, as EC2 reports it.
 */
public final class TestImages {
  private TestImages() {}

  public static ImageInfo image(String imageId, String state) {
    return image(imageId, state, Map.of());
  }

  public static ImageInfo image(String imageId, String state, Map<String, String> tags) {
    return new ImageInfo(
        imageId,
        "name-of-" + imageId,
        ImageState.of(state),
        null,
        List.of("snap-of-" + imageId),
        tags,
        "2026-11-28T01:30:00.000Z",
        null,
        null);
  }

  /** An image tagged with {@code jobId} only (not a whole set of amifleet's tags). */
  public static ImageInfo ofJob(
      String imageId, String name, String state, String jobId, String creationDate) {
    return new ImageInfo(
        imageId,
        name,
        ImageState.of(state),
        null,
        List.of("snap-of-" + imageId),
        Map.of(Tags.JOB_ID, jobId, Tags.MANAGED, "true"),
        creationDate,
        null,
        null);
  }

  /** The image amifleet made for {@code job}: its name, and tagged as amifleet tags it. */
  public static ImageInfo of(JobMessage job, String imageId, String state, String creationDate) {
    return new ImageInfo(
        imageId,
        job.imageName(),
        ImageState.of(state),
        null,
        List.of("snap-of-" + imageId),
        ImageTags.of(job, Map.of()),
        creationDate,
        ImageDescription.of(job.jobId(), job.runId()),
        null);
  }

  /** {@code image} with {@code key} set to {@code value} (or removed, for null). */
  public static ImageInfo withTag(ImageInfo image, String key, String value) {
    Map<String, String> tags = new LinkedHashMap<>(image.tags());
    if (value == null) {
      tags.remove(key);
    } else {
      tags.put(key, value);
    }
    return new ImageInfo(
        image.imageId(),
        image.name(),
        image.state(),
        image.stateReason(),
        image.snapshotIds(),
        tags,
        image.creationDate(),
        image.description(),
        image.ownerId());
  }

  public static ImageInfo failed(String imageId, String reason) {
    return new ImageInfo(
        imageId,
        "name-of-" + imageId,
        ImageState.FAILED,
        reason,
        List.of(),
        Map.of(),
        null,
        null,
        null);
  }
}
