package io.amifleet.dispatcher.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.config.AccountTarget;
import io.amifleet.common.config.ImageNameTemplate;
import io.amifleet.common.config.Selector;
import io.amifleet.common.json.Json;
import io.amifleet.common.message.HookCommand;
import io.amifleet.common.message.Hooks;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.dispatcher.resolve.FoundInstance;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An account's hooks and excluded devices travel in its jobs, through the queue unchanged. */
class JobBuilderHooksTest {
  private static final Hooks HOOKS =
      new Hooks(
          HookCommand.script("AWS-RunShellScript", List.of("fsfreeze -f /data"), 60),
          HookCommand.script("AWS-RunShellScript", List.of("fsfreeze -u /data"), 60),
          Hooks.OnPreFailure.IMAGE_ANYWAY);

  private static AccountTarget account(Optional<Hooks> hooks, List<String> excluded) {
    return new AccountTarget(
        "111111111111",
        Optional.empty(),
        "arn:aws:iam::111111111111:role/AmiFleetCreator",
        Optional.empty(),
        List.of("us-east-1"),
        false,
        new ImageNameTemplate(ImageNameTemplate.DEFAULT),
        Map.of(),
        false,
        Selector.everything(),
        Optional.empty(),
        hooks,
        excluded,
        List.of());
  }

  private static final FoundInstance DB =
      new FoundInstance("i-0123456789abcdef0", "us-east-1", "running", Map.of("Name", "db"));

  @Test
  void hooksAndExcludedDevicesAreInTheJobAndSurviveTheQueue() {
    JobMessage job =
        JobBuilder.build(
            "run-1", account(Optional.of(HOOKS), List.of("/dev/sdf")), DB, Instant.EPOCH);
    MessageCodec codec = new MessageCodec(Json.newMapper());

    JobMessage received = codec.decodeJob(codec.encode(job));

    assertThat(received.hooks()).isEqualTo(HOOKS);
    assertThat(received.excludedDevices()).containsExactly("/dev/sdf");
    assertThat(codec.encode(job))
        .contains("\"onPreFailure\":\"image-anyway\"")
        .contains("\"excludeDevices\":[\"/dev/sdf\"]");
  }

  @Test
  void aJobWithoutThemSaysNothingOfThem() {
    JobMessage job =
        JobBuilder.build("run-1", account(Optional.empty(), List.of()), DB, Instant.EPOCH);
    String body = new MessageCodec(Json.newMapper()).encode(job);

    assertThat(job.hooks()).isNull();
    assertThat(job.excludedDevices()).isEmpty();
    assertThat(body)
        .doesNotContain("hooks")
        .doesNotContain("excludeDevices")
        .doesNotContain("excludedDevices");
  }
}
