package io.amifleet.worker.image;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * What CreateImage needs to know of an instance (one DescribeInstances per account+region for a
 * batch of jobs): its tags (copied when the job asks), its root device and the device names of its
 * block-device mappings (checked against the job's {@code excludeDevices}).
 *
 * @param rootDeviceName may be null (an instance-store AMI's instance)
 */
public record InstanceInfo(Map<String, String> tags, String rootDeviceName, List<String> devices) {
  public InstanceInfo {
    tags = Map.copyOf(requireNonNull(tags, "tags is null"));
    devices = List.copyOf(requireNonNull(devices, "devices is null"));
  }
}
