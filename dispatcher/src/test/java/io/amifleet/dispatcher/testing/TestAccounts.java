package io.amifleet.dispatcher.testing;

import io.amifleet.common.config.AccountTarget;
import io.amifleet.common.config.ImageNameTemplate;
import io.amifleet.common.config.Selector;
import io.amifleet.dispatcher.resolve.FoundInstance;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Accounts of targets.yaml (defaults applied) and instances found in them, for unit tests. */
public final class TestAccounts {
  private TestAccounts() {}

  public static AccountTarget account(String id, List<String> regions, Selector select) {
    return new AccountTarget(
        id,
        Optional.empty(),
        "arn:aws:iam::" + id + ":role/AmiFleetCreator",
        Optional.empty(),
        regions,
        false,
        new ImageNameTemplate(ImageNameTemplate.DEFAULT),
        Map.of(),
        false,
        select,
        Optional.empty());
  }

  public static FoundInstance instance(String instanceId, String region, String state) {
    return new FoundInstance(instanceId, region, state, Map.of());
  }

  public static FoundInstance running(String instanceId, String region) {
    return instance(instanceId, region, "running");
  }
}
