package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.amifleet.cli.testing.Cli;
import io.amifleet.common.json.Json;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.SharedEmulator;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** {@code amifleet queues create} converges: safe to repeat, with changed settings too. */
class QueuesCreateIT {
  private final Emulator emulator = SharedEmulator.get();
  private final Cli cli = new Cli(emulator, Map.of());
  private SqsClient sqs;
  private String prefix;

  @BeforeEach
  void setUp() {
    sqs =
        SqsClient.builder()
            .endpointOverride(emulator.endpoint())
            .region(Region.of(Cli.REGION))
            .credentialsProvider(EmulatedAws.hubCredentials())
            .build();
    prefix = "c" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void tearDown() {
    sqs.close();
  }

  private JsonNode redrive(String queue) throws Exception {
    String url = sqs.getQueueUrl(b -> b.queueName(prefix + "-" + queue)).queueUrl();
    String policy =
        sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.ALL))
            .attributes()
            .get(QueueAttributeName.REDRIVE_POLICY);
    return Json.newMapper().readTree(policy);
  }

  @Test
  void aChangedMaxReceiveCountUpdatesTheExistingQueueAndSaysSo() throws Exception {
    Cli.Result first = cli.run("queues", "create", "--queue-prefix", prefix);
    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(first.out()).contains(prefix + "-jobs").contains("created");

    Cli.Result changed =
        cli.run("queues", "create", "--queue-prefix", prefix, "--max-receive-count", "3");

    assertThat(changed.exitCode()).as(changed.toString()).isZero();
    assertThat(changed.out())
        .containsPattern(prefix + "-jobs +updated +maxReceiveCount: 5 -> 3")
        .containsPattern(prefix + "-dlq +unchanged");
    assertThat(redrive("jobs").get("maxReceiveCount").asInt()).isEqualTo(3);
  }

  @Test
  void repeatingWithTheSameSettingsChangesNothing() throws Exception {
    cli.run("queues", "create", "--queue-prefix", prefix);

    Cli.Result again = cli.run("queues", "create", "--queue-prefix", prefix, "-o", "json");

    assertThat(again.exitCode()).as(again.toString()).isZero();
    JsonNode doc = Json.newMapper().readTree(again.out());
    assertThat(doc.get("changed").asBoolean()).isFalse();
    assertThat(doc.get("maxReceiveCount").isNumber()).isTrue();
    assertThat(doc.get("queues")).hasSize(3);
    doc.get("queues").forEach(q -> assertThat(q.get("action").asText()).isEqualTo("unchanged"));
  }

  @Test
  void aQueueMissingFromTheSetIsCreatedAndTheOthersKept() throws Exception {
    cli.run("queues", "create", "--queue-prefix", prefix);
    String results = sqs.getQueueUrl(b -> b.queueName(prefix + "-results")).queueUrl();
    sqs.deleteQueue(b -> b.queueUrl(results));

    Cli.Result r = cli.run("queues", "create", "--queue-prefix", prefix, "-o", "json");

    JsonNode doc = Json.newMapper().readTree(r.out());
    assertThat(doc.get("changed").asBoolean()).as(r.toString()).isTrue();
    assertThat(doc.findValuesAsText("action")).containsExactly("unchanged", "unchanged", "created");
  }
}
