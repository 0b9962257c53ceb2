package io.amifleet.dispatcher.resolve;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/** An instance DescribeInstances returned for a selector. */
public record FoundInstance(
    String instanceId, String region, String state, Map<String, String> tags) {
  public FoundInstance {
    requireNonNull(instanceId, "instanceId is null");
    requireNonNull(region, "region is null");
    requireNonNull(state, "state is null");
    tags = Map.copyOf(requireNonNull(tags, "tags is null"));
  }

  /** The Name tag, or the instance ID when there is none. */
  public String displayName() {
    String name = tags.get("Name");
    return name == null || name.isBlank() ? instanceId : name;
  }
}
