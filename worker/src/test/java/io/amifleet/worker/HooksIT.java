package io.amifleet.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amifleet.common.error.ErrorCodes;
import io.amifleet.common.message.HookCommand;
import io.amifleet.common.message.Hooks;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.JobStatus;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import io.amifleet.emulator.realistic.Rule;
import io.amifleet.worker.hook.HookRunner;
import io.amifleet.worker.hook.HookRunner.Phase;
import io.amifleet.worker.testing.WorkerHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.CreateImageRequest;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Command;
import software.amazon.awssdk.services.ssm.model.SendCommandRequest;

/**
 * SSM hooks and excluded devices end to end: a worker against moto behind the realistic layer,
 * whose {@link Rule#SSM_COMMANDS} makes a command run for a while and a script with {@code exit N}
 * fail. What the worker sent is read back from SSM (ListCommands in the target account) and, for
 * the order of calls, from the requests its SDK clients made.
 */
class HooksIT {
  private static final String ACCOUNT = "333333333333";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final HookCommand FREEZE =
      HookCommand.script("AWS-RunShellScript", List.of("fsfreeze -f /data"), 30);
  private static final HookCommand THAW =
      HookCommand.script("AWS-RunShellScript", List.of("fsfreeze -u /data"), 30);

  private final RealisticEmulator emulator = SharedEmulator.get();
  private final Calls calls = new Calls();
  private EmulatedAws aws;
  private Seeder seeder;
  private SsmClient ssm;
  private WorkerHarness harness;

  @BeforeEach
  void setUp() {
    emulator.reset();
    aws = new EmulatedAws(emulator.endpoint(), WorkerHarness.REGION);
    seeder = new Seeder(aws);
    ssm = aws.ssm(ACCOUNT, WorkerHarness.REGION);
  }

  @AfterEach
  void tearDown() {
    if (harness != null) {
      harness.close();
    }
    ssm.close();
    aws.close();
  }

  private WorkerHarness worker(WorkerSettings settings) {
    harness = new WorkerHarness(emulator, settings, List.of(calls)).start();
    return harness;
  }

  private static WorkerSettings fast() {
    return WorkerSettings.defaults()
        .withPollInterval(Duration.ofMillis(500))
        .withRetryDelays(Duration.ZERO, Duration.ZERO)
        .withReceiveWait(Duration.ofSeconds(1));
  }

  private String instance() {
    return seeder.runInstances(ACCOUNT, WorkerHarness.REGION, 1, Map.of("Name", "db")).get(0);
  }

  private static JobMessage hooked(String runId, String instanceId, Hooks hooks) {
    return WorkerHarness.job(runId, ACCOUNT, instanceId).withHooks(hooks);
  }

  /** The comments of the commands sent to {@code instanceId}, oldest first. */
  private List<String> commandsTo(String instanceId) {
    List<Command> all = new ArrayList<>(ssm.listCommands(b -> b.instanceId(instanceId)).commands());
    all.sort((a, b) -> a.requestedDateTime().compareTo(b.requestedDateTime()));
    return all.stream().map(Command::comment).toList();
  }

  private static String pre(JobMessage job) {
    return HookRunner.comment(Phase.PRE, job.jobId());
  }

  private static String post(JobMessage job) {
    return HookRunner.comment(Phase.POST, job.jobId());
  }

  @Test
  void preRunsBeforeCreateImageAndPostAfterItAndTheImageSaysApplication() {
    String id = instance();
    JobMessage job = hooked("run-h1", id, new Hooks(FREEZE, THAW, null));
    WorkerHarness w = worker(fast());
    w.send(job);

    ResultMessage r = w.results("run-h1", 1, WAIT).get(0);

    assertThat(r.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(r.consistency()).isEqualTo("application");
    assertThat(r.hookError()).isNull();
    assertThat(calls.made())
        .containsExactly("SendCommand " + pre(job), "CreateImage", "SendCommand " + post(job));
    assertThat(commandsTo(id)).containsExactly(pre(job), post(job));
    Image image =
        seeder.ownedImages(ACCOUNT, WorkerHarness.REGION).stream()
            .filter(i -> i.imageId().equals(r.imageId()))
            .findFirst()
            .orElseThrow();
    assertThat(tags(image)).containsEntry("amifleet:consistency", "application");
  }

  @Test
  void aJobWithoutHooksSaysCrashAndSendsNoCommand() {
    String id = instance();
    WorkerHarness w = worker(fast());
    w.send(WorkerHarness.job("run-h2", ACCOUNT, id));

    ResultMessage r = w.results("run-h2", 1, WAIT).get(0);

    assertThat(r.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(r.consistency()).isEqualTo("crash");
    assertThat(commandsTo(id)).isEmpty();
  }

  @Test
  void postRunsWhenCreateImageFails() {
    String id = instance();
    // EC2 refuses CreateImage of a terminated instance (the layer's INSTANCE_STATE rule).
    seeder.terminateInstances(ACCOUNT, WorkerHarness.REGION, List.of(id));
    JobMessage job = hooked("run-h3", id, new Hooks(FREEZE, THAW, null));
    WorkerHarness w = worker(fast());
    w.send(job);

    ResultMessage r = w.results("run-h3", 1, WAIT).get(0);

    assertThat(r.status()).isEqualTo(JobStatus.FAILED);
    assertThat(r.errorCode()).isEqualTo("IncorrectInstanceState");
    List<String> sent = commandsTo(id);
    assertThat(sent).contains(pre(job));
    assertThat(sent.stream().filter(c -> c.equals(post(job))).count())
        .as("every pre got its post: %s", sent)
        .isEqualTo(sent.stream().filter(c -> c.equals(pre(job))).count());
    List<String> made = calls.made();
    assertThat(made).contains("CreateImage");
    // The post follows the failed CreateImage. A post whose SendCommand never reached SSM (the
    // connection closed during the request) is sent again, so it may be more than one call; SSM
    // holds one post per pre (above).
    assertThat(made.subList(made.lastIndexOf("CreateImage") + 1, made.size()))
        .isNotEmpty()
        .containsOnly("SendCommand " + post(job));
  }

  @Test
  void postRunsWhenTheWorkerStopsWhilePreRuns() {
    emulator
        .layer()
        .use(
            SharedEmulator.testSettings().toBuilder()
                .commandRunTime(Duration.ofSeconds(4))
                .build());
    String id = instance();
    JobMessage job = hooked("run-h4", id, new Hooks(FREEZE, THAW, null));
    WorkerHarness w = worker(fast().withShutdownTimeout(Duration.ofMillis(500)));
    w.send(job);
    await().atMost(WAIT).until(() -> commandsTo(id).contains(pre(job)));

    w.worker().shutdown();

    assertThat(commandsTo(id))
        .as("the released job thawed before the worker stopped")
        .containsExactly(pre(job), post(job));
    assertThat(calls.made()).doesNotContain("CreateImage");
    assertThat(seeder.ownedImages(ACCOUNT, WorkerHarness.REGION)).isEmpty();
  }

  @Test
  void aRedeliveredJobWhoseImageExistsDoesNotRunItsHooksAgain() {
    String id = instance();
    JobMessage job = hooked("run-h5", id, new Hooks(FREEZE, THAW, null));
    WorkerHarness w = worker(fast());
    w.send(job);
    ResultMessage first = w.results("run-h5", 1, WAIT).get(0);
    calls.clear();

    w.send(job); // a redelivery or a replay of the same job
    await().atMost(WAIT).until(() -> w.events().count("finished " + job.jobId()) == 2);

    assertThat(w.events().entries()).contains("adopted " + job.jobId() + " " + first.imageId());
    assertThat(calls.made())
        .noneMatch(c -> c.startsWith("SendCommand"))
        .doesNotContain("CreateImage");
    assertThat(commandsTo(id)).containsExactly(pre(job), post(job));
  }

  @Test
  void aJobThatCrashedBetweenPreAndPostRunsPostFirstOnItsNextAttempt() {
    String id = instance();
    JobMessage job = hooked("run-h6", id, new Hooks(FREEZE, THAW, null));
    // What a worker killed after sending pre leaves behind: the pre command, and no post.
    ssm.sendCommand(
        SendCommandRequest.builder()
            .instanceIds(id)
            .documentName("AWS-RunShellScript")
            .parameters(Map.of("commands", List.of("fsfreeze -f /data")))
            .comment(pre(job))
            .build());
    WorkerHarness w = worker(fast());
    w.send(job);

    ResultMessage r = w.results("run-h6", 1, WAIT).get(0);

    assertThat(r.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(calls.made())
        .containsExactly(
            "SendCommand " + post(job),
            "SendCommand " + pre(job),
            "CreateImage",
            "SendCommand " + post(job));
  }

  @Test
  void aFailedPreSkipsTheImageAndStillRunsPost() {
    String id = instance();
    HookCommand failing =
        HookCommand.script("AWS-RunShellScript", List.of("fsfreeze -f /data", "exit 3"), 30);
    JobMessage job = hooked("run-h7", id, new Hooks(failing, THAW, null));
    WorkerHarness w = worker(fast());
    w.send(job);

    ResultMessage r = w.results("run-h7", 1, WAIT).get(0);

    assertThat(r.status()).isEqualTo(JobStatus.FAILED);
    assertThat(r.errorCode()).isEqualTo(ErrorCodes.HOOK_FAILED);
    assertThat(r.errorMessage()).contains("Failed (exit 3)").contains("skip-image");
    assertThat(calls.made()).doesNotContain("CreateImage");
    assertThat(commandsTo(id)).containsExactly(pre(job), post(job));
  }

  @Test
  void aFailedPreWithImageAnywayMakesACrashConsistentImageAndSaysWhy() {
    String id = instance();
    HookCommand failing = HookCommand.script("AWS-RunShellScript", List.of("exit 1"), 30);
    JobMessage job =
        hooked("run-h8", id, new Hooks(failing, THAW, Hooks.OnPreFailure.IMAGE_ANYWAY));
    WorkerHarness w = worker(fast());
    w.send(job);

    ResultMessage r = w.results("run-h8", 1, WAIT).get(0);

    assertThat(r.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(r.consistency()).isEqualTo("crash");
    assertThat(r.hookError()).startsWith("pre hook failed: Failed (exit 1)");
  }

  @Test
  void aFailedPostIsReportedInTheResultAndTheImageIsKept() {
    String id = instance();
    HookCommand failingThaw = HookCommand.script("AWS-RunShellScript", List.of("exit 2"), 30);
    JobMessage job = hooked("run-h9", id, new Hooks(FREEZE, failingThaw, null));
    WorkerHarness w = worker(fast());
    w.send(job);

    ResultMessage r = w.results("run-h9", 1, WAIT).get(0);

    assertThat(r.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(r.consistency()).isEqualTo("application");
    assertThat(r.hookError()).startsWith("post hook failed: Failed (exit 2)");
  }

  @Test
  void excludedDevicesReachCreateImageAsNoDevice() {
    String id = instanceWithDataVolume();
    JobMessage job =
        WorkerHarness.job("run-d1", ACCOUNT, id).withExcludeDevices(List.of("/dev/sdf"));
    WorkerHarness w = worker(fast());
    w.send(job);

    ResultMessage r = w.results("run-d1", 1, WAIT).get(0);

    assertThat(r.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(calls.createImages()).hasSize(1);
    assertThat(calls.createImages().get(0).blockDeviceMappings())
        .containsExactly(BlockDeviceMapping.builder().deviceName("/dev/sdf").noDevice("").build());
  }

  @Test
  void anExcludedDeviceTheInstanceDoesNotHaveFailsTheJobWithItsDevices() {
    String id = instanceWithDataVolume();
    JobMessage job =
        WorkerHarness.job("run-d2", ACCOUNT, id).withExcludeDevices(List.of("/dev/sdz"));
    WorkerHarness w = worker(fast());
    w.send(job);

    ResultMessage r = w.results("run-d2", 1, WAIT).get(0);

    assertThat(r.status()).isEqualTo(JobStatus.FAILED);
    assertThat(r.errorCode()).isEqualTo(ErrorCodes.INVALID_EXCLUDED_DEVICE);
    // moto lists only the mappings RunInstances was given (real EC2 lists the root too); the
    // message names them and the root device.
    assertThat(r.errorMessage())
        .contains("/dev/sdz")
        .contains("[/dev/sdf]")
        .contains("(root /dev/");
    assertThat(calls.made()).doesNotContain("CreateImage");
  }

  @Test
  void theLayerRunsCommandsForAWhileAndFailsAScriptThatExitsNonZero() {
    String id = instance();
    String ok = send(id, List.of("true"));
    String failing = send(id, List.of("exit 4"));

    assertThat(status(ok, id)).isEqualTo("InProgress");
    await().atMost(WAIT).until(() -> status(ok, id).equals("Success"));
    assertThat(status(failing, id)).isEqualTo("Failed");
    assertThat(ssm.getCommandInvocation(b -> b.commandId(failing).instanceId(id)).responseCode())
        .isEqualTo(4);

    emulator
        .layer()
        .use(SharedEmulator.testSettings().toBuilder().without(Rule.SSM_COMMANDS).build());
    String off = send(id, List.of("exit 4"));
    assertThat(status(off, id))
        .as("moto alone: every command succeeds at once")
        .isEqualTo("Success");
  }

  private String send(String instanceId, List<String> commands) {
    return ssm.sendCommand(
            b ->
                b.instanceIds(instanceId)
                    .documentName("AWS-RunShellScript")
                    .parameters(Map.of("commands", commands)))
        .command()
        .commandId();
  }

  private String status(String commandId, String instanceId) {
    return ssm.getCommandInvocation(b -> b.commandId(commandId).instanceId(instanceId))
        .statusAsString();
  }

  /** An instance with its root volume and a data volume on /dev/sdf. */
  private String instanceWithDataVolume() {
    return seeder.runInstanceWithVolume(ACCOUNT, WorkerHarness.REGION, "/dev/sdf");
  }

  private static Map<String, String> tags(Image image) {
    return image.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value));
  }

  /** The worker's CreateImage and SendCommand calls, in the order its SDK clients made them. */
  private static final class Calls implements ExecutionInterceptor {
    private final List<String> made = Collections.synchronizedList(new ArrayList<>());
    private final List<CreateImageRequest> createImages =
        Collections.synchronizedList(new ArrayList<>());

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      if (context.request() instanceof CreateImageRequest c) {
        made.add("CreateImage");
        createImages.add(c);
      } else if (context.request() instanceof SendCommandRequest s) {
        made.add("SendCommand " + s.comment());
      }
    }

    List<String> made() {
      synchronized (made) {
        return List.copyOf(made);
      }
    }

    List<CreateImageRequest> createImages() {
      synchronized (createImages) {
        return List.copyOf(createImages);
      }
    }

    void clear() {
      made.clear();
      createImages.clear();
    }
  }
}
