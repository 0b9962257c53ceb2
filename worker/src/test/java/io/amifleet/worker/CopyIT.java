package io.amifleet.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.amifleet.common.message.CopyRequest;
import io.amifleet.common.message.CopyResult;
import io.amifleet.common.message.JobIds;
import io.amifleet.common.message.JobMessage;
import io.amifleet.common.message.JobStatus;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.message.PruneMessage;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.common.queue.OutgoingMessage;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import io.amifleet.emulator.realistic.RealismSettings;
import io.amifleet.worker.dlq.DeadLetters;
import io.amifleet.worker.testing.WorkerHarness;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageAttributeName;
import software.amazon.awssdk.services.ec2.model.SnapshotAttributeName;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * Disaster-recovery copies end to end, through the realistic EC2 layer: a copy in another region of
 * the account, and a copy in a vault account through its own role and ExternalId, made once each,
 * adopted after a stop or a replay, the source's sharing taken back, and the copies' own retention.
 */
class CopyIT {
  private static final String A = "111111111111";
  private static final String VAULT = "999999999999";
  private static final String REGION = WorkerHarness.REGION;
  private static final String DR = "eu-west-1";
  private static final String VAULT_REGION = "eu-central-1";
  private static final String VAULT_ROLE = "arn:aws:iam::" + VAULT + ":role/AmiFleetVault";
  private static final String VAULT_SECRET = "vault-external-id";
  private static final Duration WAIT = Duration.ofSeconds(90);

  private final RealisticEmulator emulator = SharedEmulator.get();
  private final List<WorkerHarness> harnesses = new ArrayList<>();
  private EmulatedAws aws;
  private EmulatedAws moto;
  private Seeder seeder;

  @BeforeEach
  void setUp() {
    emulator.reset();
    ec2(b -> b);
    aws = new EmulatedAws(emulator.endpoint(), REGION);
    // What exists, straight from moto (the layer's pending and consistency rewrites aside).
    moto = new EmulatedAws(emulator.motoEndpoint(), REGION);
    seeder = new Seeder(aws);
    drKey();
  }

  /** The DR copies' key, alias/amifleet-dr in the account's DR region, as its owner makes it. */
  private void drKey() {
    try (StsAssumeRoleCredentialsProvider admin =
            StsAssumeRoleCredentialsProvider.builder()
                .stsClient(aws.sts())
                .refreshRequest(
                    r -> r.roleArn("arn:aws:iam::" + A + ":role/Admin").roleSessionName("admin"))
                .build();
        KmsClient kms =
            KmsClient.builder()
                .endpointOverride(emulator.endpoint())
                .region(Region.of(DR))
                .credentialsProvider(admin)
                .build()) {
      String key = kms.createKey(b -> b.description("DR copies")).keyMetadata().keyId();
      kms.createAlias(b -> b.aliasName("alias/amifleet-dr").targetKeyId(key));
    }
  }

  @AfterEach
  void tearDown() {
    harnesses.forEach(WorkerHarness::close);
    aws.close();
    moto.close();
  }

  /** The layer's test settings with the vault role demanding its ExternalId, changed by a test. */
  private void ec2(UnaryOperator<RealismSettings.Builder> change) {
    emulator
        .layer()
        .use(
            change
                .apply(
                    SharedEmulator.testSettings().toBuilder()
                        .externalId("AmiFleetVault", VAULT_SECRET))
                .build());
  }

  private WorkerHarness worker(String prefix) {
    WorkerSettings settings =
        WorkerSettings.defaults()
            .withPollInterval(Duration.ofMillis(500))
            .withRetryDelays(Duration.ZERO, Duration.ZERO)
            .withReceiveWait(Duration.ofSeconds(1))
            .withShutdownTimeout(Duration.ofMillis(500));
    WorkerHarness h =
        prefix == null
            ? new WorkerHarness(emulator, settings, List.of())
            : new WorkerHarness(
                emulator.endpoint(), Optional.empty(), prefix, settings, List.of(), 1);
    harnesses.add(h);
    return h.start();
  }

  private List<JobMessage> jobs(String runId, List<String> instances) {
    List<CopyRequest> copies =
        List.of(
            new CopyRequest(A, DR, null, null, "alias/amifleet-dr"),
            new CopyRequest(VAULT, VAULT_REGION, VAULT_ROLE, VAULT_SECRET, null));
    return instances.stream().map(i -> WorkerHarness.job(runId, A, i).withCopies(copies)).toList();
  }

  private List<Image> images(String account, String region) {
    return new Seeder(moto).ownedImages(account, region);
  }

  private static String tag(Image i, String key) {
    return i.tags().stream()
        .filter(t -> t.key().equals(key))
        .map(Tag::value)
        .findFirst()
        .orElse(null);
  }

  private static CopyResult copyIn(ResultMessage r, String account, String region) {
    return r.copies().stream()
        .filter(c -> c.accountId().equals(account) && c.region().equals(region))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no copy in " + account + "/" + region + ": " + r));
  }

  /** Nobody but the owner may launch the image or use its snapshots. */
  private void assertPrivate(String imageId) {
    Ec2Client ec2 = moto.ec2(A, REGION);
    assertThat(
            ec2.describeImageAttribute(
                    b -> b.imageId(imageId).attribute(ImageAttributeName.LAUNCH_PERMISSION))
                .launchPermissions())
        .as("launch permissions of %s", imageId)
        .isEmpty();
    Image image = ec2.describeImages(b -> b.imageIds(imageId)).images().get(0);
    for (var m : image.blockDeviceMappings()) {
      assertThat(
              ec2.describeSnapshotAttribute(
                      b ->
                          b.snapshotId(m.ebs().snapshotId())
                              .attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION))
                  .createVolumePermissions())
          .as("createVolumePermission of %s", m.ebs().snapshotId())
          .isEmpty();
    }
  }

  @Test
  void aRunWithADrRegionAndAVaultMakesOneImageAndOneCopyPerDestinationAndUnsharesTheImage() {
    WorkerHarness w = worker(null);
    List<String> instances = seeder.runInstances(A, REGION, 2, Map.of("Name", "web"));
    w.send(jobs("c1", instances));

    List<ResultMessage> results = w.results("c1", 2, WAIT);

    assertThat(results).hasSize(2).allMatch(ResultMessage::succeeded);
    Set<String> sources = results.stream().map(ResultMessage::imageId).collect(Collectors.toSet());
    assertThat(images(A, REGION))
        .extracting(Image::imageId)
        .containsExactlyInAnyOrderElementsOf(sources);
    List<Image> dr = images(A, DR);
    List<Image> vault = images(VAULT, VAULT_REGION);
    assertThat(dr).hasSize(2);
    assertThat(vault).hasSize(2).allMatch(i -> i.ownerId().equals(VAULT));
    for (ResultMessage r : results) {
      assertThat(r.copies()).hasSize(2);
      CopyResult inDr = copyIn(r, A, DR);
      CopyResult inVault = copyIn(r, VAULT, VAULT_REGION);
      assertThat(inDr.state()).isEqualTo("available");
      assertThat(inDr.adopted()).isFalse();
      assertThat(inVault.state()).isEqualTo("available");
      // Each copy carries the job's tags and says what it is a copy of, in its own account.
      assertThat(dr)
          .filteredOn(i -> i.imageId().equals(inDr.imageId()))
          .singleElement()
          .satisfies(
              i -> {
                assertThat(tag(i, "amifleet:copy-of")).isEqualTo(r.imageId());
                assertThat(tag(i, "amifleet:job-id")).isEqualTo(r.jobId());
                assertThat(tag(i, "Purpose")).isEqualTo("test");
              });
      assertThat(vault)
          .filteredOn(i -> i.imageId().equals(inVault.imageId()))
          .singleElement()
          .satisfies(i -> assertThat(tag(i, "amifleet:copy-of")).isEqualTo(r.imageId()));
      assertPrivate(r.imageId());
    }
    assertThat(emulator.layer().stats().calls("EC2.CopyImage")).isEqualTo(4);
  }

  @Test
  void aWorkerStoppedWhileItsCopiesArePendingLeavesThemToTheNextWorkerWhichAdoptsThem()
      throws Exception {
    // Copies (and images) pending for 8 s: the first worker stops while they are.
    ec2(b -> b.pending(Duration.ofSeconds(8), Duration.ofSeconds(8)).timeScale(1));
    WorkerHarness first = worker(null);
    List<String> instances = seeder.runInstances(A, REGION, 1, Map.of());
    first.send(jobs("c2", instances));
    long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
    while (emulator.layer().stats().calls("EC2.CopyImage") < 2 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(emulator.layer().stats().calls("EC2.CopyImage")).isEqualTo(2);
    first.worker().shutdown();
    assertThat(first.events().count("finished")).isZero();

    WorkerHarness second = worker(first.prefix());
    ResultMessage r = second.results("c2", 1, WAIT).get(0);

    assertThat(r.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(r.adopted()).isTrue();
    assertThat(images(A, REGION)).hasSize(1);
    assertThat(images(A, DR))
        .singleElement()
        .satisfies(i -> assertThat(i.imageId()).isEqualTo(copyIn(r, A, DR).imageId()));
    assertThat(images(VAULT, VAULT_REGION))
        .singleElement()
        .satisfies(
            i -> assertThat(i.imageId()).isEqualTo(copyIn(r, VAULT, VAULT_REGION).imageId()));
    assertPrivate(r.imageId());
  }

  @Test
  void aFailedCopyFailsTheJobWithItsOwnCodeAndAReplayMakesOnlyTheMissingCopy() {
    // The vault's trust policy wants another ExternalId: the vault copy cannot be made.
    ec2(b -> b.externalId("AmiFleetVault", "another-external-id"));
    WorkerHarness w = worker(null);
    List<String> instances = seeder.runInstances(A, REGION, 1, Map.of());
    w.send(jobs("c3", instances));

    ResultMessage failed = w.results("c3", 1, WAIT).get(0);

    assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
    assertThat(failed.errorCode()).isEqualTo("CopyFailed");
    assertThat(failed.errorMessage()).contains(VAULT + "/" + VAULT_REGION).contains("AccessDenied");
    assertThat(failed.errorMessage()).doesNotContain(VAULT_SECRET);
    assertThat(copyIn(failed, A, DR).state()).isEqualTo("available");
    assertThat(copyIn(failed, VAULT, VAULT_REGION).state()).isEqualTo("not-made");
    assertThat(images(A, DR)).hasSize(1);
    assertThat(images(VAULT, VAULT_REGION)).isEmpty();
    assertPrivate(failed.imageId());

    // The vault's trust is fixed; the job is replayed from the DLQ.
    ec2(b -> b);
    DeadLetters dlq = w.get(DeadLetters.class);
    assertThat(dlq.replay(d -> d.errorCode().equals("CopyFailed"), 10, false, false).moved())
        .isEqualTo(1);
    ResultMessage done =
        w.results("c3", 1, WAIT).stream()
            .filter(ResultMessage::succeeded)
            .findFirst()
            .orElseGet(() -> w.results("c3", 1, WAIT).get(0));

    assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(done.imageId()).isEqualTo(failed.imageId());
    assertThat(done.adopted()).isTrue();
    assertThat(copyIn(done, A, DR).adopted()).isTrue();
    assertThat(copyIn(done, A, DR).imageId()).isEqualTo(copyIn(failed, A, DR).imageId());
    assertThat(copyIn(done, VAULT, VAULT_REGION).adopted()).isFalse();
    assertThat(images(A, REGION)).hasSize(1);
    assertThat(images(A, DR)).hasSize(1);
    assertThat(images(VAULT, VAULT_REGION)).hasSize(1);
    assertPrivate(done.imageId());
  }

  @Test
  void copiesAreKeptByTheirOwnRetentionInTheirOwnAccountAndRegion() {
    WorkerHarness w = worker(null);
    List<String> instances = seeder.runInstances(A, REGION, 1, Map.of());
    List<String> runs = List.of("r1", "r2");
    runs.forEach(run -> w.send(jobs(run, instances)));
    for (String run : runs) {
      assertThat(w.results(run, 1, WAIT)).singleElement().matches(ResultMessage::succeeded);
    }
    assertThat(images(A, DR)).hasSize(2);
    assertThat(images(VAULT, VAULT_REGION)).hasSize(2);

    Instant now = Instant.now();
    MessageCodec codec = w.get(MessageCodec.class);
    w.sendRaw(
        List.of(
            OutgoingMessage.of(
                codec.encode(
                    copyPrune(
                        "p1",
                        A,
                        DR,
                        "arn:aws:iam::" + A + ":role/AmiFleetCreator",
                        "test-external-id",
                        now))),
            OutgoingMessage.of(
                codec.encode(
                    copyPrune("p1", VAULT, VAULT_REGION, VAULT_ROLE, VAULT_SECRET, now)))));
    List<ResultMessage> pruned = w.results("p1", 2, WAIT);

    assertThat(pruned).hasSize(2).allMatch(ResultMessage::succeeded);
    assertThat(images(A, DR)).hasSize(1);
    assertThat(images(VAULT, VAULT_REGION)).hasSize(1);
    // The images themselves are the account's own retention's, untouched by the copies'.
    assertThat(images(A, REGION)).hasSize(2);
  }

  @Test
  void aCopyWhoseKeyTheAccountCannotUseFailsTheJobWithKmsAccessDenied() {
    WorkerHarness w = worker(null);
    String instance = seeder.runInstances(A, REGION, 1, Map.of()).get(0);
    w.send(
        WorkerHarness.job("c5", A, instance)
            .withCopies(List.of(new CopyRequest(A, DR, null, null, "alias/nobody-made-this"))));

    ResultMessage r = w.results("c5", 1, WAIT).get(0);

    assertThat(r.status()).isEqualTo(JobStatus.FAILED);
    assertThat(r.errorCode()).isEqualTo("KmsAccessDenied");
    assertThat(r.errorMessage()).contains("Given key ID is not accessible");
    assertThat(copyIn(r, A, DR).state()).isEqualTo("failed");
    assertThat(images(A, REGION)).as("the image itself is fine").hasSize(1);
  }

  private static PruneMessage copyPrune(
      String run, String account, String region, String role, String externalId, Instant now) {
    return new PruneMessage(
        JobMessage.VERSION,
        PruneMessage.KIND,
        JobIds.copyPruneJobId(run, account, region),
        run,
        account,
        region,
        role,
        externalId,
        1,
        null,
        now,
        null,
        null,
        null,
        null,
        null,
        true);
  }
}
