package io.amifleet.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.JobStatus;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.common.queue.OutgoingMessage;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import io.amifleet.emulator.realistic.RealismSettings;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.image.ImageService;
import io.amifleet.worker.outcome.DeadLetterAttributes;
import io.amifleet.worker.testing.WorkerHarness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The worker end to end against moto behind the realistic EC2 layer: real SQS, STS and EC2 over
 * HTTP, with EC2's throttling, latency, pending images and eventual consistency.
 */
class WorkerIT {
  private static final String ACCOUNT_A = "111111111111";
  private static final String ACCOUNT_B = "222222222222";
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final RealisticEmulator emulator = SharedEmulator.get();
  private EmulatedAws aws;
  private Seeder seeder;
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
    aws.close();
  }

  private WorkerHarness worker(WorkerSettings settings, ExecutionInterceptor... interceptors) {
    harness = new WorkerHarness(emulator, settings, List.of(interceptors)).start();
    return harness;
  }

  /** The layer's test settings, changed for one test (reset() restores them). */
  private void ec2(UnaryOperator<RealismSettings.Builder> change) {
    emulator.layer().use(change.apply(SharedEmulator.testSettings().toBuilder()).build());
  }

  private static WorkerSettings fast() {
    return WorkerSettings.defaults()
        .withPollInterval(Duration.ofMillis(500))
        .withRetryDelays(Duration.ZERO, Duration.ZERO)
        .withReceiveWait(Duration.ofSeconds(1));
  }

  /**
   * The DLQ once it holds {@code n} messages (or what it holds after a while): a job's result can
   * be read a moment before its message reaches the DLQ.
   */
  private static List<Message> deadLetters(WorkerHarness w, int n) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<Message> dlq = w.deadLetters();
    while (dlq.size() < n && System.nanoTime() < deadline) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      dlq = w.deadLetters();
    }
    return dlq;
  }

  private List<Image> images(String account) {
    return seeder.ownedImages(account, WorkerHarness.REGION);
  }

  private static Map<String, String> tags(List<Tag> tags) {
    return tags.stream().collect(Collectors.toMap(Tag::key, Tag::value));
  }

  @Test
  void imagesAreMadeInTheTargetAccountWithTagsAndTaggedSnapshots() {
    List<String> a =
        seeder.runInstances(
            ACCOUNT_A, WorkerHarness.REGION, 2, Map.of("Name", "web", "Team", "blue"));
    List<String> b = seeder.runInstances(ACCOUNT_B, WorkerHarness.REGION, 1, Map.of("Name", "db"));
    WorkerHarness w = worker(fast());
    w.send(
        WorkerHarness.job("run-1", ACCOUNT_A, a.get(0)),
        WorkerHarness.job("run-1", ACCOUNT_A, a.get(1)),
        WorkerHarness.job("run-1", ACCOUNT_B, b.get(0)));

    List<ResultMessage> results = w.results("run-1", 3, WAIT);

    assertThat(results).hasSize(3).allMatch(ResultMessage::succeeded);
    assertThat(images(ACCOUNT_A)).hasSize(2);
    assertThat(images(ACCOUNT_B)).hasSize(1);
    assertThat(images(EmulatedAws.HUB_ACCOUNT)).as("nothing is made in the hub").isEmpty();

    ResultMessage r =
        results.stream().filter(x -> x.instanceId().equals(a.get(0))).findFirst().orElseThrow();
    Image image =
        images(ACCOUNT_A).stream()
            .filter(i -> i.imageId().equals(r.imageId()))
            .findFirst()
            .orElseThrow();
    assertThat(tags(image.tags()))
        .containsEntry("amifleet:job-id", r.jobId())
        .containsEntry("amifleet:run-id", "run-1")
        .containsEntry("amifleet:source-instance", a.get(0))
        .containsEntry("amifleet:managed", "true")
        .containsEntry("Purpose", "test")
        .containsEntry("Team", "blue")
        .containsEntry("Name", "web");
    assertThat(image.name()).isEqualTo(r.imageName());
    assertThat(r.snapshotIds()).isNotEmpty();
    var snapshots =
        aws.ec2(ACCOUNT_A, WorkerHarness.REGION)
            .describeSnapshots(s -> s.snapshotIds(r.snapshotIds()))
            .snapshots();
    assertThat(snapshots)
        .allSatisfy(s -> assertThat(tags(s.tags())).containsEntry("amifleet:job-id", r.jobId()));
    assertThat(r.attempt()).isEqualTo(1);
    assertThat(r.startedAt()).isBeforeOrEqualTo(r.finishedAt());
    assertThat(w.jobsQueueDepth()).as("finished jobs are deleted").isZero();
    assertThat(emulator.layer().stats().calls("EC2.CreateTags"))
        .as("snapshot tags ride in CreateImage's TagSpecifications")
        .isZero();
  }

  @Test
  void redeliveredJobAdoptsExistingImage() {
    String instance = seeder.runInstances(ACCOUNT_A, WorkerHarness.REGION, 1, Map.of()).get(0);
    JobMessage job = WorkerHarness.job("run-2", ACCOUNT_A, instance);
    WorkerHarness w = worker(fast());
    w.send(job);
    ResultMessage first = w.results("run-2", 1, WAIT).get(0);

    w.send(job);
    ResultMessage second = w.results("run-2", 1, WAIT).get(0);

    assertThat(second.imageId()).isEqualTo(first.imageId());
    assertThat(images(ACCOUNT_A)).hasSize(1);
    assertThat(w.events().count("adopted " + job.jobId())).isEqualTo(1);
    assertThat(w.events().count("created " + job.jobId())).isEqualTo(1);
  }

  @Test
  void assumeRoleIsCalledOncePerRoleNotPerJob() {
    List<String> a = seeder.runInstances(ACCOUNT_A, WorkerHarness.REGION, 20, Map.of());
    List<String> b = seeder.runInstances(ACCOUNT_B, WorkerHarness.REGION, 20, Map.of());
    WorkerHarness w = worker(fast());
    w.send(a.stream().map(i -> WorkerHarness.job("run-3", ACCOUNT_A, i)).toList());
    w.send(b.stream().map(i -> WorkerHarness.job("run-3", ACCOUNT_B, i)).toList());

    assertThat(w.results("run-3", 40, WAIT)).hasSize(40).allMatch(ResultMessage::succeeded);

    assertThat(w.stats().calls("STS.AssumeRole")).isEqualTo(2);
    assertThat(w.stats().calls("EC2.CreateImage")).isEqualTo(40);
  }

  @Test
  void waitingImagesArePolledWithOneDescribeImagesPerAccountRegionPerInterval() {
    List<String> instances = seeder.runInstances(ACCOUNT_A, WorkerHarness.REGION, 60, Map.of());
    ec2(b -> b.pending(Duration.ofSeconds(4), Duration.ofSeconds(4)).timeScale(1));
    WorkerHarness w = worker(fast().withPollInterval(Duration.ofSeconds(1)));
    w.send(instances.stream().map(i -> WorkerHarness.job("run-4", ACCOUNT_A, i)).toList());

    List<ResultMessage> results = w.results("run-4", 60, WAIT);

    assertThat(results).hasSize(60).allMatch(ResultMessage::succeeded);
    // 60 images pending ~4 s, polled every second: a handful of polls, not one per image per
    // second.
    assertThat(w.waiter().pollCount()).isBetween(3L, 12L);
  }

  @Test
  void imageThatFailsEndsFailedWithTheStateReasonAndGoesToTheDlq() {
    List<String> instances = seeder.runInstances(ACCOUNT_A, WorkerHarness.REGION, 2, Map.of());
    String bad = instances.get(0);
    ec2(b -> b.failingInstances(Set.of(bad)));
    WorkerHarness w = worker(fast());
    w.send(
        WorkerHarness.job("run-5", ACCOUNT_A, instances.get(0)),
        WorkerHarness.job("run-5", ACCOUNT_A, instances.get(1)));

    Map<String, ResultMessage> results =
        w.results("run-5", 2, WAIT).stream()
            .collect(Collectors.toMap(ResultMessage::instanceId, r -> r));

    assertThat(results.get(instances.get(1)).status()).isEqualTo(JobStatus.SUCCEEDED);
    ResultMessage failed = results.get(bad);
    assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
    assertThat(failed.errorCode()).isEqualTo("ImageFailed");
    assertThat(failed.errorMessage()).contains("An internal error has occurred");
    assertThat(failed.imageId()).startsWith("ami-");
    List<Message> dlq = deadLetters(w, 1);
    assertThat(dlq).hasSize(1);
    assertThat(dlq.get(0).messageAttributes().get(DeadLetterAttributes.ERROR_CODE).stringValue())
        .isEqualTo("ImageFailed");
  }

  @Test
  void imagePendingPastMaxWaitEndsTimedOut() {
    String instance = seeder.runInstances(ACCOUNT_A, WorkerHarness.REGION, 1, Map.of()).get(0);
    ec2(b -> b.pending(Duration.ofMinutes(10), Duration.ofMinutes(10)).timeScale(1));
    WorkerHarness w = worker(fast().withMaxWait(Duration.ofSeconds(2)));
    w.send(WorkerHarness.job("run-6", ACCOUNT_A, instance));

    ResultMessage r = w.results("run-6", 1, WAIT).get(0);

    assertThat(r.status()).isEqualTo(JobStatus.TIMED_OUT);
    assertThat(r.errorCode()).isEqualTo("ImageTimedOut");
    assertThat(r.imageId()).startsWith("ami-");
    assertThat(deadLetters(w, 1)).hasSize(1);
  }

  @Test
  void poisonMessagesGoToTheDlqWithTheReasonAndTheWorkerKeepsGoing() {
    String instance = seeder.runInstances(ACCOUNT_A, WorkerHarness.REGION, 1, Map.of()).get(0);
    WorkerHarness w = worker(fast());
    JobMessage good = WorkerHarness.job("run-7", ACCOUNT_A, instance);
    String wrongRole =
        "{\"v\":1,\"jobId\":\"abc\",\"runId\":\"run-7\",\"accountId\":\"111111111111\",\"region\":\"us-east-1\","
            + "\"roleArn\":\"arn:aws:iam::999999999999:role/X\",\"instanceId\":\"i-0123456789abcdef0\",\"imageName\":\"x-abc\"}";
    w.sendRaw(
        List.of(
            OutgoingMessage.of("not json at all"),
            OutgoingMessage.of("{\"v\":2,\"jobId\":\"x\"}"),
            OutgoingMessage.of(wrongRole)));
    w.send(good);

    assertThat(w.results("run-7", 1, WAIT))
        .singleElement()
        .satisfies(r -> assertThat(r.succeeded()).isTrue());
    List<Message> dlq = deadLetters(w, 3);
    assertThat(dlq).hasSize(3);
    Set<String> reasons =
        dlq.stream()
            .map(m -> m.messageAttributes().get(DeadLetterAttributes.ERROR_MESSAGE).stringValue())
            .collect(Collectors.toSet());
    assertThat(reasons)
        .anySatisfy(s -> assertThat(s).startsWith("not JSON"))
        .anySatisfy(s -> assertThat(s).contains("unsupported schema version v=2"))
        .anySatisfy(
            s -> assertThat(s).contains("is in account 999999999999, not accountId 111111111111"));
    assertThat(dlq)
        .allSatisfy(
            m -> {
              assertThat(m.messageAttributes().get(DeadLetterAttributes.ERROR_CODE).stringValue())
                  .isEqualTo("InvalidMessage");
              assertThat(m.messageAttributes())
                  .containsKeys(DeadLetterAttributes.FAILED_AT, DeadLetterAttributes.RECEIVE_COUNT);
            });
  }

  @Test
  void jobForAnAccountNotAllowedIsPoisonWithAFailedResult() {
    String instance = seeder.runInstances(ACCOUNT_B, WorkerHarness.REGION, 1, Map.of()).get(0);
    WorkerHarness w = worker(fast().withAllowedAccounts(Set.of(ACCOUNT_A)));
    w.send(WorkerHarness.job("run-8", ACCOUNT_B, instance));

    ResultMessage r = w.results("run-8", 1, WAIT).get(0);

    assertThat(r.status()).isEqualTo(JobStatus.FAILED);
    assertThat(r.errorCode()).isEqualTo("AccountNotAllowed");
    assertThat(images(ACCOUNT_B)).isEmpty();
    assertThat(deadLetters(w, 1))
        .singleElement()
        .satisfies(
            m ->
                assertThat(m.messageAttributes().get(DeadLetterAttributes.ACCOUNT_ID).stringValue())
                    .isEqualTo(ACCOUNT_B));
  }

  @Test
  void accessDeniedOnAssumeRoleIsPermanent() {
    String instance = seeder.runInstances(ACCOUNT_B, WorkerHarness.REGION, 1, Map.of()).get(0);
    // The role's trust policy demands another ExternalId than the job's.
    ec2(
        b ->
            b.externalId(
                "arn:aws:iam::" + ACCOUNT_B + ":role/AmiFleetCreator", "another-external-id"));
    WorkerHarness w = worker(fast());
    w.send(WorkerHarness.job("run-9", ACCOUNT_B, instance));

    ResultMessage r = w.results("run-9", 1, WAIT).get(0);

    assertThat(r.status()).isEqualTo(JobStatus.FAILED);
    assertThat(r.errorCode()).isEqualTo("AccessDenied");
    assertThat(r.errorMessage())
        .contains("AssumeRole arn:aws:iam::222222222222:role/AmiFleetCreator");
    assertThat(deadLetters(w, 1)).hasSize(1);
    assertThat(w.events().count("retrying")).isZero();
  }

  @Test
  void missingInstanceIsPermanent() {
    WorkerHarness w = worker(fast());
    w.send(WorkerHarness.job("run-10", ACCOUNT_A, "i-0123456789abcdef0"));

    ResultMessage r = w.results("run-10", 1, WAIT).get(0);

    assertThat(r.status()).isEqualTo(JobStatus.FAILED);
    assertThat(r.errorCode()).isEqualTo("InvalidInstanceID.NotFound");
    assertThat(deadLetters(w, 1)).hasSize(1);
  }

  @Test
  void manyJobsAcrossAccountsAllSucceedOnce() {
    List<JobMessage> jobs =
        IntStream.range(0, 3)
            .boxed()
            .flatMap(
                n -> {
                  String account = "33333333333" + n;
                  return seeder.runInstances(account, WorkerHarness.REGION, 30, Map.of()).stream()
                      .map(i -> WorkerHarness.job("run-11", account, i));
                })
            .toList();
    WorkerHarness w = worker(fast());
    w.send(jobs);

    List<ResultMessage> results = w.results("run-11", 90, WAIT);

    assertThat(results).hasSize(90).allMatch(ResultMessage::succeeded);
    assertThat(results.stream().map(ResultMessage::imageId).distinct()).hasSize(90);
    for (int n = 0; n < 3; n++) {
      assertThat(images("33333333333" + n)).hasSize(30);
    }
  }

  @Test
  void twoWorkersWithOneJobMakeOneImageTheLoserAdoptingItByDuplicateName() {
    String instance = seeder.runInstances(ACCOUNT_A, WorkerHarness.REGION, 1, Map.of()).get(0);
    // Each look-up takes a second, so both workers ask before either image exists and both call
    // CreateImage; EC2 refuses the second name, while DescribeImages does not show the first image
    // yet (EC2's lag, 3 s): the loser looks again until it does, then adopts it.
    ec2(b -> b.latency(Duration.ofSeconds(1), Duration.ofSeconds(1)));
    WorkerSettings one = fast().withConcurrency(1);
    WorkerHarness first = worker(one);
    WorkerHarness second =
        new WorkerHarness(
                emulator.endpoint(), java.util.Optional.empty(), first.prefix(), one, List.of(), 1)
            .start();
    try {
      JobMessage job = WorkerHarness.job("run-12", ACCOUNT_A, instance);
      first.send(job, job);

      // One result per delivery, both of the one image. Read message by message: the two often
      // land together (both wait for the same image), and a read by job ID would take both as one.
      List<ResultMessage> results = first.resultMessages("run-12", 2, WAIT);

      assertThat(images(ACCOUNT_A)).hasSize(1);
      assertThat(results).hasSize(2).allMatch(ResultMessage::succeeded);
      assertThat(results.get(1).imageId()).isEqualTo(results.get(0).imageId());
      var stats = emulator.layer().stats();
      assertThat(stats.calls("EC2.CreateImage")).isEqualTo(2);
      assertThat(stats.errors("EC2.CreateImage")).as("one InvalidAMIName.Duplicate").isEqualTo(1);
      assertThat(first.events().count("adopted") + second.events().count("adopted")).isEqualTo(1);
    } finally {
      second.close();
    }
  }

  @Test
  void nameTakenDuringTheLagIsRetriedUntilTheImageShowsAndThenAdoptedNotAConflict() {
    String instance = seeder.runInstances(ACCOUNT_A, WorkerHarness.REGION, 1, Map.of()).get(0);
    // As above, but DescribeImages lags 20 s behind CreateImage: longer than the loser's own
    // look-ups by name (after 1, 2 and 4 s), so its attempt ends retryable (ImageNotVisibleYet) and
    // a later delivery adopts the image. Before the fix this ended FAILED ImageNameConflict in the
    // DLQ, advising to change imageName.
    ec2(
        b ->
            b.latency(Duration.ofSeconds(1), Duration.ofSeconds(1))
                .consistencyWindow(Duration.ofSeconds(20)));
    WorkerSettings one = fast().withConcurrency(1);
    WorkerHarness first = worker(one);
    WorkerHarness second =
        new WorkerHarness(
                emulator.endpoint(), java.util.Optional.empty(), first.prefix(), one, List.of(), 1)
            .start();
    try {
      JobMessage job = WorkerHarness.job("run-14", ACCOUNT_A, instance);
      first.send(job, job);

      // Both deliveries end with a result of the same job, read message by message (a read by job
      // ID would take two results that land together as one).
      List<ResultMessage> results = first.resultMessages("run-14", 2, WAIT);

      assertThat(results).hasSize(2).allMatch(ResultMessage::succeeded);
      assertThat(results.stream().map(ResultMessage::imageId).distinct()).hasSize(1);
      assertThat(images(ACCOUNT_A)).hasSize(1);
      assertThat(results.stream().mapToInt(ResultMessage::attempt).max().getAsInt())
          .as("the loser's first attempt ended retryable, its second adopted")
          .isGreaterThanOrEqualTo(2);
      assertThat(first.events().count("dlq") + second.events().count("dlq")).isZero();
      assertThat(
              first.events().count("retrying " + job.jobId() + " ImageNotVisibleYet")
                  + second.events().count("retrying " + job.jobId() + " ImageNotVisibleYet"))
          .isPositive();
    } finally {
      second.close();
    }
  }

  @Test
  void describeAsksForAtMostAThousandImageIdsPerCall() {
    WorkerHarness w = worker(fast());
    ImageService images = w.get(ImageService.class);
    Ec2Target target = Ec2Target.of(WorkerHarness.job("run-13", ACCOUNT_A, "i-0123456789abcdef0"));
    List<String> ids =
        IntStream.range(0, 1535).mapToObj(i -> String.format("ami-%017x", i)).toList();
    images.ready(target).join();

    ImageService.Lookup lookup = images.describe(target, ids).join();

    assertThat(lookup.images()).isEmpty();
    assertThat(emulator.layer().stats().errors("EC2.DescribeImages"))
        .as("only InvalidAMIID.NotFound answers, no call over EC2's limit")
        .isEqualTo(emulator.layer().stats().calls("EC2.DescribeImages"));
    assertThat(emulator.layer().stats().calls("EC2.DescribeImages")).isBetween(2L, 4L);
  }
}
