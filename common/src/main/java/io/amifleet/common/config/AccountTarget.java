package io.amifleet.common.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One account of targets.yaml with the defaults applied: everything the dispatcher needs to find
 * its instances and build their jobs.
 */
public record AccountTarget(
    String id,
    Optional<String> name,
    String roleArn,
    Optional<String> externalId,
    List<String> regions,
    boolean reboot,
    ImageNameTemplate imageName,
    Map<String, String> tags,
    boolean copyInstanceTags,
    Selector select) {

  public AccountTarget {
    requireNonNull(id, "id is null");
    requireNonNull(name, "name is null");
    requireNonNull(roleArn, "roleArn is null");
    requireNonNull(externalId, "externalId is null");
    regions = List.copyOf(requireNonNull(regions, "regions is null"));
    requireNonNull(imageName, "imageName is null");
    tags = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tags));
    requireNonNull(select, "select is null");
  }

  /** The label used in reports: the name when there is one, else the ID. */
  public String label() {
    return name.orElse(id);
  }
}
