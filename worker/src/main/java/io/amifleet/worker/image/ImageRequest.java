package io.amifleet.worker.image;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/** A CreateImage call: the instance, the deterministic name, NoReboot and the image's tags. */
public record ImageRequest(
    String instanceId,
    String name,
    String description,
    boolean noReboot,
    Map<String, String> tags) {
  public ImageRequest {
    requireNonNull(instanceId, "instanceId is null");
    requireNonNull(name, "name is null");
    requireNonNull(description, "description is null");
    tags = Map.copyOf(requireNonNull(tags, "tags is null"));
  }
}
