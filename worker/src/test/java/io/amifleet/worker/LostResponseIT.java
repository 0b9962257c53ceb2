package io.amifleet.worker;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.aws.RoleKey;
import io.amifleet.common.message.HookCommand;
import io.amifleet.common.message.Hooks;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import io.amifleet.worker.hook.HookRunner;
import io.amifleet.worker.hook.HookRunner.Phase;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.image.ImageService;
import io.amifleet.worker.testing.LostResponseProxy;
import io.amifleet.worker.testing.WorkerHarness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Command;

/**
 * A CreateImage whose response is lost on the network, through a proxy in front of moto that lets
 * moto make the image and then cuts the connection instead of answering. CreateImage has no client
 * token, so a blind retry makes a second image (moto, like an EC2 account whose names are unique
 * only per job, does not refuse the name): the SDK must not retry it, and the job's own retry must
 * find the image by its job ID instead. DeregisterImage, safe to repeat, is retried, and finding
 * the image gone counts as done. A post hook's SendCommand (no client token either) whose answer is
 * lost is found in SSM and awaited, not sent twice.
 */
class LostResponseIT {
  private static final String ACCOUNT = "111111111111";
  private static final Duration WAIT = Duration.ofSeconds(90);

  private final RealisticEmulator emulator = SharedEmulator.get();
  private EmulatedAws aws;
  private Seeder seeder;
  private LostResponseProxy proxy;
  private WorkerHarness harness;

  @BeforeEach
  void setUp() {
    emulator.reset();
    aws = new EmulatedAws(emulator.endpoint(), WorkerHarness.REGION);
    seeder = new Seeder(aws);
  }

  @AfterEach
  void tearDown() {
    if (harness != null) {
      harness.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    aws.close();
  }

  /** A worker whose EC2 and STS calls go through {@code proxy}; SQS goes to moto directly. */
  private WorkerHarness worker() {
    WorkerSettings settings =
        WorkerSettings.defaults()
            .withPollInterval(Duration.ofMillis(500))
            .withRetryDelays(Duration.ZERO, Duration.ZERO)
            .withReceiveWait(Duration.ofSeconds(1));
    harness =
        new WorkerHarness(
                proxy.endpoint(), Optional.of(emulator.endpoint()), settings, List.of(), 1)
            .start();
    return harness;
  }

  private List<Image> imagesOf(String instance) {
    return seeder.ownedImages(ACCOUNT, WorkerHarness.REGION).stream()
        .filter(i -> i.tags().stream().anyMatch(t -> t.value().equals(instance)))
        .toList();
  }

  @Test
  void lostCreateImageResponseMakesOneImageWhichTheRetriedJobAdopts() throws Exception {
    String instance = seeder.runInstances(ACCOUNT, WorkerHarness.REGION, 1, Map.of()).get(0);
    // DescribeImages shows new images at once here, so that the retried job's look-up by job ID
    // finds the image and exactly one CreateImage reaches EC2. With EC2's lag the retried job may
    // call CreateImage again and be refused the name: WorkerIT#nameTakenDuringTheLag... covers
    // that.
    emulator
        .layer()
        .use(SharedEmulator.testSettings().toBuilder().consistencyWindow(Duration.ZERO).build());
    proxy =
        new LostResponseProxy(
            emulator.endpoint(),
            LostResponseProxy.ec2Action("CreateImage"),
            1,
            Duration.ofMillis(500));
    WorkerHarness w = worker();
    JobMessage job = WorkerHarness.job("lost-1", ACCOUNT, instance);

    w.send(job);
    List<ResultMessage> results = w.results("lost-1", 1, WAIT);

    assertThat(proxy.lost()).as("the proxy lost a CreateImage response").isEqualTo(1);
    assertThat(imagesOf(instance)).as("images of the instance").hasSize(1);
    assertThat(proxy.matched()).as("CreateImage requests that reached moto").isEqualTo(1);
    assertThat(results)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.succeeded()).isTrue();
              assertThat(r.imageId()).isEqualTo(imagesOf(instance).get(0).imageId());
              assertThat(r.attempt()).as("the job's second delivery adopted it").isEqualTo(2);
            });
    assertThat(w.events().count("retrying " + job.jobId())).isEqualTo(1);
    assertThat(w.stats().snapshot().get("EC2.CreateImage"))
        .as("one CreateImage call of one attempt: the SDK did not retry it")
        .satisfies(
            c -> {
              assertThat(c.calls()).isEqualTo(1);
              assertThat(c.attempts()).isEqualTo(1);
            });
    assertThat(w.events().count("adopted " + job.jobId())).isEqualTo(1);
  }

  @Test
  void lostDeregisterImageResponseIsRetriedAndTheImageGoneCountsAsDone() throws Exception {
    String instance = seeder.runInstances(ACCOUNT, WorkerHarness.REGION, 1, Map.of()).get(0);
    String imageId =
        aws.ec2(ACCOUNT, WorkerHarness.REGION)
            .createImage(b -> b.instanceId(instance).name("to-deregister"))
            .imageId();
    proxy =
        new LostResponseProxy(
            emulator.endpoint(),
            LostResponseProxy.ec2Action("DeregisterImage"),
            1,
            Duration.ofMillis(200));
    WorkerHarness w = worker();
    Ec2Target target =
        new Ec2Target(
            RoleKey.of("arn:aws:iam::" + ACCOUNT + ":role/AmiFleetCreator", "test-external-id"),
            ACCOUNT,
            WorkerHarness.REGION);
    ImageService images = w.get(ImageService.class);

    // The SDK retries DeregisterImage (it is safe to repeat): the retry finds the image gone. A
    // retry may meet a throttle or a closed connection of its own and be sent once more: at least
    // two sends, and the call succeeds.
    images.ready(target).thenCompose(x -> images.deregister(target, imageId)).get(60, SECONDS);

    assertThat(proxy.lost()).isEqualTo(1);
    assertThat(proxy.matched()).as("DeregisterImage sent again").isGreaterThanOrEqualTo(2);
    assertThat(seeder.ownedImages(ACCOUNT, WorkerHarness.REGION)).isEmpty();
  }

  @Test
  void lostPostHookAnswerIsAwaitedNotSentTwice() throws Exception {
    String instance = seeder.runInstances(ACCOUNT, WorkerHarness.REGION, 1, Map.of()).get(0);
    proxy =
        new LostResponseProxy(
            emulator.endpoint(),
            body -> body.contains("\"amifleet post "),
            1,
            Duration.ofMillis(200));
    WorkerHarness w = worker();
    HookCommand freeze = HookCommand.script("AWS-RunShellScript", List.of("fsfreeze -f /data"), 30);
    HookCommand thaw = HookCommand.script("AWS-RunShellScript", List.of("fsfreeze -u /data"), 30);
    JobMessage job =
        WorkerHarness.job("lost-post", ACCOUNT, instance).withHooks(new Hooks(freeze, thaw, null));

    w.send(job);
    ResultMessage r = w.results("lost-post", 1, WAIT).get(0);

    assertThat(proxy.lost()).as("the proxy lost the post's SendCommand answer").isEqualTo(1);
    assertThat(proxy.matched()).as("post SendCommands that reached SSM").isEqualTo(1);
    assertThat(r.succeeded()).isTrue();
    assertThat(r.hookError()).as("the post that arrived was awaited and succeeded").isNull();
    try (SsmClient ssm = aws.ssm(ACCOUNT, WorkerHarness.REGION)) {
      assertThat(ssm.listCommands(b -> b.instanceId(instance)).commands())
          .extracting(Command::comment)
          .containsExactlyInAnyOrder(
              HookRunner.comment(Phase.PRE, job.jobId()),
              HookRunner.comment(Phase.POST, job.jobId()));
    }
  }
}
