package io.amifleet.worker.image;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * A CreateImage call: the instance, the deterministic name, NoReboot, the image's tags, and the
 * devices left out of the image (as they are named in the instance's block-device mappings).
 */
public record ImageRequest(
    String instanceId,
    String name,
    String description,
    boolean noReboot,
    Map<String, String> tags,
    List<String> noDevices) {
  public ImageRequest {
    requireNonNull(instanceId, "instanceId is null");
    requireNonNull(name, "name is null");
    requireNonNull(description, "description is null");
    tags = Map.copyOf(requireNonNull(tags, "tags is null"));
    noDevices = List.copyOf(requireNonNull(noDevices, "noDevices is null"));
  }

  /** A request that leaves no device out. */
  public ImageRequest(
      String instanceId,
      String name,
      String description,
      boolean noReboot,
      Map<String, String> tags) {
    this(instanceId, name, description, noReboot, tags, List.of());
  }
}
