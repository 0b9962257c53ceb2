package io.amifleet.emulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed scenario of the demo: a hub and three production accounts with instances tagged for
 * nightly images in two regions, plus untagged instances that must be left alone.
 */
public final class DemoScenario {
  public static final List<String> REGIONS = List.of("us-east-1", "eu-west-1");

  /** One account of the scenario. */
  public record Account(
      String id, String name, Map<String, Integer> taggedPerRegion, int untagged) {}

  public static final List<Account> ACCOUNTS =
      List.of(
          new Account("111111111111", "web", Map.of("us-east-1", 3, "eu-west-1", 2), 1),
          new Account("222222222222", "payments", Map.of("us-east-1", 2, "eu-west-1", 2), 1),
          new Account("333333333333", "analytics", Map.of("us-east-1", 3, "eu-west-1", 1), 0));

  /** Where the web account's images are copied for disaster recovery (another region). */
  public static final String DR_REGION = "eu-central-1";

  /** The isolated backup account the payments account's images are copied into. */
  public static final String VAULT_ACCOUNT = "444444444444";

  /** What was seeded: instance IDs by account, tagged and untagged. */
  public record Seeded(Map<String, List<String>> tagged, Map<String, List<String>> untagged) {
    public int taggedCount() {
      return tagged.values().stream().mapToInt(List::size).sum();
    }

    public int untaggedCount() {
      return untagged.values().stream().mapToInt(List::size).sum();
    }
  }

  private DemoScenario() {}

  public static Seeded seed(Seeder seeder) {
    Map<String, List<String>> tagged = new LinkedHashMap<>();
    Map<String, List<String>> untagged = new LinkedHashMap<>();
    for (Account a : ACCOUNTS) {
      List<String> t = new ArrayList<>();
      for (String region : REGIONS) {
        int n = a.taggedPerRegion().getOrDefault(region, 0);
        for (int i = 1; i <= n; i++) {
          String name = a.name() + "-" + region.substring(0, 2) + "-" + i;
          t.addAll(
              seeder.runInstances(
                  a.id(),
                  region,
                  1,
                  Map.of(
                      "Name",
                      name,
                      "Backup",
                      "nightly",
                      "Environment",
                      "production",
                      "Team",
                      a.name())));
        }
      }
      tagged.put(a.id(), t);
      List<String> u = new ArrayList<>();
      if (a.untagged() > 0) {
        u.addAll(
            seeder.runInstances(
                a.id(), REGIONS.get(0), a.untagged(), Map.of("Name", a.name() + "-scratch")));
      }
      untagged.put(a.id(), u);
    }
    return new Seeded(tagged, untagged);
  }

  /** The demo's targets.yaml: what an operator would write for these accounts. */
  public static String targetsYaml() {
    StringBuilder b = new StringBuilder();
    b.append(
        """
        # amifleet demo targets. The same file works against real AWS: deploy
        # infra/cloudformation/target-role.yaml into each account, then
        #   AMIFLEET_EXTERNAL_ID=... ./amifleet run --targets amifleet-demo/targets.yaml
        defaults:
          roleName: AmiFleetCreator            # assumed in each account
          externalId: ${AMIFLEET_EXTERNAL_ID}  # from the environment
          regions: [us-east-1, eu-west-1]
          reboot: false                        # CreateImage with NoReboot
          imageName: "{instanceName}-{date}-{shortJobId}"
          tags: {Purpose: nightly-image}       # on every image and its snapshots
          copyInstanceTags: true
          select:
            tags: {Backup: nightly}            # only instances tagged Backup=nightly
        accounts:
        """);
    for (Account a : ACCOUNTS) {
      b.append("  - id: \"").append(a.id()).append("\"\n    name: ").append(a.name()).append('\n');
      if (a.name().equals("web")) {
        b.append("    copies:                            # a copy of each image in a DR region\n")
            .append("      - region: ")
            .append(DR_REGION)
            .append('\n');
      } else if (a.name().equals("payments")) {
        b.append("    copies:                            # and in a vault nobody here can delete\n")
            .append("      - account: \"")
            .append(VAULT_ACCOUNT)
            .append("\"\n        region: ")
            .append(DR_REGION)
            .append("\n        roleName: AmiFleetVault\n");
      }
    }
    return b.toString();
  }
}
