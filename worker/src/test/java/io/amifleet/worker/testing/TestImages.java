package io.amifleet.worker.testing;

import io.amifleet.common.message.Tags;
import io.amifleet.worker.image.ImageInfo;
import java.util.List;
import java.util.Map;

/** {@link ImageInfo}s as DescribeImages would report them. */
public final class TestImages {
  private TestImages() {}

  public static ImageInfo image(String imageId, String state) {
    return image(imageId, state, Map.of());
  }

  public static ImageInfo image(String imageId, String state, Map<String, String> tags) {
    return new ImageInfo(
        imageId,
        "name-of-" + imageId,
        state,
        null,
        List.of("snap-of-" + imageId),
        tags,
        "2026-11-28T01:30:00.000Z",
        null);
  }

  /** An image of {@code jobId}, as amifleet tags its images. */
  public static ImageInfo ofJob(
      String imageId, String name, String state, String jobId, String creationDate) {
    return new ImageInfo(
        imageId,
        name,
        state,
        null,
        List.of("snap-of-" + imageId),
        Map.of(Tags.JOB_ID, jobId, Tags.MANAGED, "true"),
        creationDate,
        null);
  }

  public static ImageInfo failed(String imageId, String reason) {
    return new ImageInfo(
        imageId, "name-of-" + imageId, "failed", reason, List.of(), Map.of(), null, null);
  }
}
