package io.amifleet.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.Seeder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The estate scenario 1's competitors image: A accounts of I instances each in one region, tagged
 * {@code Backup=nightly}; every competitor finds them by that tag (DescribeInstances), as it would
 * on a real estate. Seeded straight into moto, not through the layer, so that the layer counts only
 * what a competitor does. Not thread-safe.
 */
final class Estate {
  static final String REGION = ShellLoopScenario.REGION;
  static final String ROLE_NAME = "AmiFleetCreator";
  static final Map<String, String> TAGS = Map.of("Backup", "nightly", "Name", "app");

  private final RealisticEmulator emulator;
  private final List<String> accounts;
  private final int instances;

  Estate(RealisticEmulator emulator, int accounts, int instances) {
    this.emulator = requireNonNull(emulator, "emulator is null");
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= accounts; i++) {
      ids.add(String.format("7%011d", i));
    }
    this.accounts = List.copyOf(ids);
    this.instances = instances;
  }

  List<String> accounts() {
    return accounts;
  }

  int instancesPerAccount() {
    return instances;
  }

  int jobs() {
    return accounts.size() * instances;
  }

  /** Resets moto and the layer (counters, buckets, names) and launches the instances again. */
  void reseed() {
    emulator.reset();
    try (EmulatedAws aws = new EmulatedAws(emulator.motoEndpoint(), REGION)) {
      Seeder seeder = new Seeder(aws);
      for (String a : accounts) {
        seeder.runInstances(a, REGION, instances, TAGS);
      }
    }
  }

  /** Images the accounts own, asked of moto itself (the truth, without the layer's window). */
  int images() {
    try (EmulatedAws aws = new EmulatedAws(emulator.motoEndpoint(), REGION)) {
      Seeder seeder = new Seeder(aws);
      return accounts.stream().mapToInt(a -> seeder.ownedImages(a, REGION).size()).sum();
    }
  }

  /**
   * The boto3 peer's input: region, role name, the accounts and the selector amifleet is given (tag
   * {@code Backup=nightly}, states running and stopped), so that the peer finds the instances
   * itself.
   */
  void writePeerEstate(Path file, ObjectMapper mapper) throws IOException {
    ObjectNode root = mapper.createObjectNode();
    root.put("region", REGION).put("roleName", ROLE_NAME);
    ObjectNode select = root.putObject("select");
    select.putObject("tags").putArray("Backup").add("nightly");
    select.putArray("states").add("running").add("stopped");
    ArrayNode list = root.putArray("accounts");
    accounts.forEach(account -> list.addObject().put("id", account));
    Files.writeString(file, mapper.writeValueAsString(root));
  }

  /** amifleet's input: every account, instances selected by the tag. */
  void writeTargets(Path file) throws IOException {
    StringBuilder yaml =
        new StringBuilder(
            "defaults: {regions: ["
                + REGION
                + "], roleName: "
                + ROLE_NAME
                + ", select: {tags: {Backup: nightly}}}\naccounts:\n");
    accounts.forEach(a -> yaml.append("  - id: \"").append(a).append("\"\n"));
    Files.writeString(file, yaml);
  }
}
