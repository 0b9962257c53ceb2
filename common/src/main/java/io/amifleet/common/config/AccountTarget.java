package io.amifleet.common.config;

import static java.util.Objects.requireNonNull;

import io.amifleet.common.message.Hooks;
import io.amifleet.common.secret.Secrets;
import java.util.Collections;
import java.util.LinkedHashMap;
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
    Selector select,
    Optional<Retention> retention,
    Optional<Hooks> hooks,
    List<String> excludeDevices,
    List<CopyTarget> copies) {

  public AccountTarget {
    requireNonNull(id, "id is null");
    requireNonNull(name, "name is null");
    requireNonNull(roleArn, "roleArn is null");
    requireNonNull(externalId, "externalId is null");
    regions = List.copyOf(requireNonNull(regions, "regions is null"));
    requireNonNull(imageName, "imageName is null");
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    requireNonNull(select, "select is null");
    requireNonNull(retention, "retention is null");
    requireNonNull(hooks, "hooks is null");
    excludeDevices = List.copyOf(requireNonNull(excludeDevices, "excludeDevices is null"));
    copies = List.copyOf(requireNonNull(copies, "copies is null"));
  }

  /** An account without hooks, without devices left out and without copies. */
  public AccountTarget(
      String id,
      Optional<String> name,
      String roleArn,
      Optional<String> externalId,
      List<String> regions,
      boolean reboot,
      ImageNameTemplate imageName,
      Map<String, String> tags,
      boolean copyInstanceTags,
      Selector select,
      Optional<Retention> retention) {
    this(
        id,
        name,
        roleArn,
        externalId,
        regions,
        reboot,
        imageName,
        tags,
        copyInstanceTags,
        select,
        retention,
        Optional.empty(),
        List.of(),
        List.of());
  }

  /**
   * The same settings for another account (organization discovery): the role is the same role name
   * in that account.
   */
  public AccountTarget forAccount(String accountId, Optional<String> accountName) {
    var m = io.amifleet.common.message.Identifiers.ROLE_ARN.matcher(roleArn);
    if (!m.matches()) {
      throw new IllegalStateException("not a role ARN: " + roleArn);
    }
    String arn = "arn:" + m.group(1) + ":iam::" + accountId + ":role/" + m.group(3);
    return new AccountTarget(
        accountId,
        accountName,
        arn,
        externalId,
        regions,
        reboot,
        imageName,
        tags,
        copyInstanceTags,
        select,
        retention,
        hooks,
        excludeDevices,
        copies);
  }

  /** The generated one, but with the ExternalId masked. */
  @Override
  public String toString() {
    return Secrets.describe(this);
  }

  /** The label used in reports: the name when there is one, else the ID. */
  public String label() {
    return name.orElse(id);
  }
}
