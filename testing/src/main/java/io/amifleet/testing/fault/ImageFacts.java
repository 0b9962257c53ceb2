package io.amifleet.testing.fault;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ec2.model.Image;

/**
 * Makes DescribeImages answer what EC2 would where moto cannot, for retention tests: an image's
 * creation date (moto dates every image "now", and age decides what goes), and the snapshot an
 * image was registered from (moto's RegisterImage ignores the given snapshot and makes its own).
 * Thread-safe.
 */
public final class ImageFacts implements ExecutionInterceptor {
  private static final DateTimeFormatter EC2_DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final ConcurrentMap<String, Instant> created = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, String> rootSnapshot = new ConcurrentHashMap<>();

  /** Dates the image {@code when}. */
  public void created(String imageId, Instant when) {
    created.put(imageId, when);
  }

  /** Reports {@code snapshotId} as the snapshot behind the image's first block device. */
  public void rootSnapshot(String imageId, String snapshotId) {
    rootSnapshot.put(imageId, snapshotId);
  }

  @Override
  public SdkResponse modifyResponse(
      Context.ModifyResponse context, ExecutionAttributes attributes) {
    if (!(context.response() instanceof DescribeImagesResponse r)) {
      return context.response();
    }
    List<Image> images = new ArrayList<>(r.images().size());
    for (Image i : r.images()) {
      images.add(rewrite(i));
    }
    return r.toBuilder().images(images).build();
  }

  private Image rewrite(Image image) {
    Instant when = created.get(image.imageId());
    String snapshot = rootSnapshot.get(image.imageId());
    if (when == null && snapshot == null) {
      return image;
    }
    Image.Builder b = image.toBuilder();
    if (when != null) {
      b.creationDate(EC2_DATE.format(when));
    }
    if (snapshot != null && !image.blockDeviceMappings().isEmpty()) {
      List<BlockDeviceMapping> mappings = new ArrayList<>(image.blockDeviceMappings());
      BlockDeviceMapping root = mappings.get(0);
      mappings.set(
          0, root.toBuilder().ebs(root.ebs().toBuilder().snapshotId(snapshot).build()).build());
      b.blockDeviceMappings(mappings);
    }
    return b.build();
  }
}
