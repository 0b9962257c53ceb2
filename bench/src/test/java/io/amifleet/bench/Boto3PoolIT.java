package io.amifleet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.amifleet.common.json.Json;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import io.amifleet.emulator.realistic.ProxyStats;
import io.amifleet.emulator.realistic.RealismSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * The boto3 peer (bench/peers/boto3_pool.py) against moto behind the realistic EC2 layer: what it
 * makes, and that what it reports of itself agrees with what the layer counted.
 */
class Boto3PoolIT {
  private static final Path PEER = Path.of("peers/boto3_pool.py").toAbsolutePath();
  private static final String SECRET = "bench-external-id-7f3a";

  private final RealisticEmulator emulator = SharedEmulator.get();
  private final ObjectMapper mapper = Json.newMapper();

  @TempDir Path dir;

  @Test
  void imagesEveryInstanceWithTagsOnImageAndSnapshotsAssumingTheRoleWithItsExternalId()
      throws Exception {
    Estate estate = new Estate(emulator, 2, 3);
    estate.reseed();
    // An instance without the tag, which the peer's search must leave alone.
    try (EmulatedAws aws = new EmulatedAws(emulator.motoEndpoint(), Estate.REGION)) {
      new Seeder(aws)
          .runInstances(estate.accounts().get(0), Estate.REGION, 1, Map.of("Name", "untagged"));
    }
    emulator
        .layer()
        .use(
            SharedEmulator.testSettings().toBuilder().externalId(Estate.ROLE_NAME, SECRET).build());
    Path file = peerEstate(estate, SECRET);

    MeteredProcess.Ran ran = runPeer(file);
    JsonNode summary = summary(ran);

    assertThat(ran.exitCode()).as(ran.tail()).isZero();
    assertThat(summary.get("available").asInt()).isEqualTo(6);
    assertThat(summary.get("failed").asInt() + summary.get("createFailed").asInt()).isZero();
    assertThat(summary.get("retryMode").asText()).isEqualTo("legacy");
    assertThat(summary.get("searched").asBoolean()).isTrue();
    assertThat(summary.get("instances").asInt()).isEqualTo(6);
    assertThat(summary.at("/calls/DescribeInstances/attempts").asInt()).isEqualTo(2);
    assertThat(ran.out() + ran.err()).doesNotContain(SECRET);
    assertThat(estate.images()).isEqualTo(6);
    try (EmulatedAws aws = new EmulatedAws(emulator.motoEndpoint(), Estate.REGION)) {
      for (String account : estate.accounts()) {
        Ec2Client ec2 = aws.ec2(account, Estate.REGION);
        for (Image image : ec2.describeImages(b -> b.owners("self")).images()) {
          assertThat(tags(image.tags())).containsEntry("CreatedBy", "boto3-pool");
          List<String> snapshots =
              image.blockDeviceMappings().stream()
                  .filter(m -> m.ebs() != null)
                  .map(m -> m.ebs().snapshotId())
                  .toList();
          assertThat(snapshots).isNotEmpty();
          ec2.describeSnapshots(b -> b.snapshotIds(snapshots))
              .snapshots()
              .forEach(s -> assertThat(tags(s.tags())).containsEntry("CreatedBy", "boto3-pool"));
        }
      }
    }
  }

  @Test
  void reportsTheThrottlesTheLayerAnsweredAndCountsWhatBoto3GaveUpOnAsFailed() throws Exception {
    Estate estate = new Estate(emulator, 1, 12);
    estate.reseed();
    // A bucket of 2 refilled at 1/s for 12 CreateImage from 16 threads: boto3's legacy retries
    // (5 attempts, back-off up to 8 s) absorb some throttles and give up on others.
    emulator
        .layer()
        .use(
            SharedEmulator.testSettings().toBuilder()
                .bucket("CreateImage", new RealismSettings.Bucket(2, 1))
                .build());
    ProxyStats.Snapshot before = emulator.layer().stats();

    MeteredProcess.Ran ran = runPeer(peerEstate(estate, null));
    JsonNode summary = summary(ran);
    ProxyStats.Snapshot layer = emulator.layer().stats().since(before);

    long throttled = layer.throttled("EC2.CreateImage");
    assertThat(throttled).isPositive();
    assertThat(summary.get("createImageThrottles").asLong()).isEqualTo(throttled);
    assertThat(summary.at("/calls/CreateImage/attempts").asLong())
        .isEqualTo(layer.calls("EC2.CreateImage"));
    int failed = summary.get("createFailed").asInt();
    assertThat(summary.get("available").asInt() + failed).isEqualTo(12);
    assertThat(summary.at("/createFailedByCode/RequestLimitExceeded").asInt()).isEqualTo(failed);
    assertThat(estate.images()).isEqualTo(12 - failed);
    assertThat(ran.exitCode()).isEqualTo(failed == 0 ? 0 : 1);
  }

  private Path peerEstate(Estate estate, String externalId) throws Exception {
    Path file = dir.resolve("estate.json");
    estate.writePeerEstate(file, mapper);
    if (externalId != null) {
      ObjectNode root = (ObjectNode) mapper.readTree(file.toFile());
      root.get("accounts").forEach(a -> ((ObjectNode) a).put("externalId", externalId));
      Files.writeString(file, mapper.writeValueAsString(root));
    }
    return file;
  }

  private MeteredProcess.Ran runPeer(Path estate) {
    Map<String, String> env = new LinkedHashMap<>(Procs.awsEnv(Estate.REGION));
    env.put("AWS_ENDPOINT_URL", emulator.endpoint().toString());
    env.put("AWS_RETRY_MODE", "");
    env.put("AWS_MAX_ATTEMPTS", "");
    env.put("AWS_CONFIG_FILE", dir.resolve("no-aws-config").toString());
    return MeteredProcess.run(
        List.of("python3", PEER.toString(), "--estate", estate.toString(), "--poll-interval", "1"),
        env,
        dir.resolve("out"),
        dir.resolve("err"),
        Duration.ofMinutes(5),
        (elapsed, cpu) -> {});
  }

  private JsonNode summary(MeteredProcess.Ran ran) throws Exception {
    List<String> json = ran.out().lines().filter(l -> l.startsWith("{")).toList();
    assertThat(json).as("the peer's JSON summary; its output:\n" + ran.tail()).hasSize(1);
    return mapper.readTree(json.get(0));
  }

  private static Map<String, String> tags(List<Tag> tags) {
    return tags.stream().collect(Collectors.toMap(Tag::key, Tag::value));
  }
}
