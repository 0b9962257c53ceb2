package io.amifleet.emulator;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** Creates instances in emulated accounts. Thread-safe. */
public final class Seeder {
  private final EmulatedAws aws;
  private final Map<String, String> baseImages = new ConcurrentHashMap<>();

  public Seeder(EmulatedAws aws) {
    this.aws = requireNonNull(aws, "aws is null");
  }

  /** Launches {@code count} instances with {@code tags} in the account and region; returns IDs. */
  public List<String> runInstances(
      String accountId, String region, int count, Map<String, String> tags) {
    Ec2Client ec2 = aws.ec2(accountId, region);
    String image = baseImages.computeIfAbsent(region, r -> baseImage(ec2));
    List<String> ids = new ArrayList<>();
    int remaining = count;
    while (remaining > 0) {
      int n = Math.min(remaining, 50);
      var request =
          software.amazon.awssdk.services.ec2.model.RunInstancesRequest.builder()
              .imageId(image)
              .instanceType(InstanceType.T3_MICRO)
              .minCount(n)
              .maxCount(n);
      if (!tags.isEmpty()) {
        request.tagSpecifications(
            TagSpecification.builder()
                .resourceType(ResourceType.INSTANCE)
                .tags(
                    tags.entrySet().stream()
                        .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
                        .toList())
                .build());
      }
      for (Instance i : ec2.runInstances(request.build()).instances()) {
        ids.add(i.instanceId());
      }
      remaining -= n;
    }
    return ids;
  }

  /** Launches one instance with a 10 GiB data volume on {@code device}; returns its ID. */
  public String runInstanceWithVolume(String accountId, String region, String device) {
    Ec2Client ec2 = aws.ec2(accountId, region);
    String image = baseImages.computeIfAbsent(region, r -> baseImage(ec2));
    return ec2.runInstances(
            b ->
                b.imageId(image)
                    .instanceType(InstanceType.T3_MICRO)
                    .minCount(1)
                    .maxCount(1)
                    .blockDeviceMappings(
                        BlockDeviceMapping.builder()
                            .deviceName(device)
                            .ebs(e -> e.volumeSize(10).deleteOnTermination(true))
                            .build()))
        .instances()
        .get(0)
        .instanceId();
  }

  public void stopInstances(String accountId, String region, List<String> instanceIds) {
    aws.ec2(accountId, region).stopInstances(b -> b.instanceIds(instanceIds));
  }

  public void terminateInstances(String accountId, String region, List<String> instanceIds) {
    aws.ec2(accountId, region).terminateInstances(b -> b.instanceIds(instanceIds));
  }

  /** Images the account owns in the region (what amifleet made there). */
  public List<Image> ownedImages(String accountId, String region) {
    return aws.ec2(accountId, region).describeImages(b -> b.owners("self")).images();
  }

  /**
   * A public Amazon Linux image to launch from. Filtered by name: the unfiltered list holds over a
   * thousand images and takes moto seconds to return.
   */
  private static String baseImage(Ec2Client ec2) {
    return ec2
        .describeImages(
            b ->
                b.owners("amazon")
                    .filters(Filter.builder().name("name").values("amzn2-ami-hvm-*").build()))
        .images()
        .stream()
        .map(Image::imageId)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("the emulator has no Amazon Linux 2 image"));
  }
}
