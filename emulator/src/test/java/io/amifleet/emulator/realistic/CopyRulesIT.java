package io.amifleet.emulator.realistic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CopyImageRequest;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.ec2.model.OperationType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * The layer's CopyImage rules against moto over HTTP ({@link Rule#COPIES}, {@link
 * Rule#COPY_SHARING}, {@link Rule#COPY_LIMITS}): each does what EC2 does, and the behaviour goes
 * when the rule is off.
 */
class CopyRulesIT {
  private static final String SOURCE = "111111111111";
  private static final String VAULT = "999999999999";
  private static final String FROM = "us-east-1";
  private static final String TO = "eu-west-1";

  private final RealisticEmulator emulator = SharedEmulator.get();
  private EmulatedAws aws;
  private String imageId;

  @BeforeEach
  void setUp() {
    emulator.reset();
    aws = new EmulatedAws(emulator.endpoint(), FROM);
    String instance = new Seeder(aws).runInstances(SOURCE, FROM, 1, Map.of()).get(0);
    // Made through the layer, so that it knows the image and its owner.
    imageId =
        aws.ec2(SOURCE, FROM)
            .createImage(b -> b.instanceId(instance).name("nightly-web-1").noReboot(true))
            .imageId();
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  private void use(Consumer<RealismSettings.Builder> change) {
    RealismSettings.Builder b = SharedEmulator.testSettings().toBuilder();
    change.accept(b);
    emulator.layer().use(b.build());
  }

  private static CopyImageRequest copy(String source, String name, String token) {
    return CopyImageRequest.builder()
        .sourceImageId(source)
        .sourceRegion(FROM)
        .name(name)
        .clientToken(token)
        .tagSpecifications(
            TagSpecification.builder()
                .resourceType(ResourceType.IMAGE)
                .tags(tag("amifleet:copy-of", source))
                .build(),
            TagSpecification.builder()
                .resourceType(ResourceType.SNAPSHOT)
                .tags(tag("amifleet:copy-of", source))
                .build())
        .build();
  }

  private static Tag tag(String k, String v) {
    return Tag.builder().key(k).value(v).build();
  }

  private static String errorCode(Throwable e) {
    return ((AwsServiceException) e).awsErrorDetails().errorCode();
  }

  private List<Image> owned(String account, String region) {
    // Straight to moto: what exists, without the layer's rewriting.
    try (EmulatedAws moto = new EmulatedAws(emulator.motoEndpoint(), FROM)) {
      return new Seeder(moto).ownedImages(account, region);
    }
  }

  private static Image visible(Ec2Client ec2, String id) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      try {
        return ec2.describeImages(b -> b.imageIds(id)).images().get(0);
      } catch (AwsServiceException e) {
        if (System.nanoTime() > deadline || !"InvalidAMIID.NotFound".equals(errorCode(e))) {
          throw e;
        }
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void theSameClientTokenGivesTheSameCopyWhichIsTaggedAndPendingAtFirst() {
    use(b -> b.pending(Duration.ofSeconds(15), Duration.ofSeconds(15)).timeScale(1));
    Ec2Client dr = aws.ec2(SOURCE, TO);

    String first = dr.copyImage(copy(imageId, "nightly-web-1", "token-1")).imageId();
    String again = dr.copyImage(copy(imageId, "nightly-web-1", "token-1")).imageId();

    assertThat(again).isEqualTo(first);
    assertThat(owned(SOURCE, TO)).hasSize(1);
    Image copy = owned(SOURCE, TO).get(0);
    assertThat(copy.tags()).contains(tag("amifleet:copy-of", imageId));
    String snapshot = copy.blockDeviceMappings().get(0).ebs().snapshotId();
    assertThat(dr.describeSnapshots(b -> b.snapshotIds(snapshot)).snapshots().get(0).tags())
        .contains(tag("amifleet:copy-of", imageId));
    // Once DescribeImages knows it (EC2 is eventually consistent), the copy is pending.
    assertThat(visible(dr, first).state()).isEqualTo(ImageState.PENDING);
  }

  @Test
  void withoutTheRuleMotoIgnoresTheClientTokenAndTheTags() {
    use(b -> b.without(Rule.COPIES, Rule.DUPLICATE_NAMES));
    Ec2Client dr = aws.ec2(SOURCE, TO);

    String first = dr.copyImage(copy(imageId, "nightly-web-1", "token-1")).imageId();
    String again = dr.copyImage(copy(imageId, "nightly-web-1", "token-1")).imageId();

    assertThat(again).isNotEqualTo(first);
    assertThat(owned(SOURCE, TO)).hasSize(2).allMatch(i -> i.tags().isEmpty());
  }

  @Test
  void aCopyOfAnotherAccountsImageNeedsTheImageAndItsSnapshotsSharedWithTheCopyingAccount() {
    Ec2Client source = aws.ec2(SOURCE, FROM);
    Ec2Client vault = aws.ec2(VAULT, TO);
    String snapshot = owned(SOURCE, FROM).get(0).blockDeviceMappings().get(0).ebs().snapshotId();

    assertThatThrownBy(() -> vault.copyImage(copy(imageId, "vault-web-1", "v1")))
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidAMIID.NotFound"));
    source.modifyImageAttribute(
        b ->
            b.imageId(imageId)
                .launchPermission(p -> p.add(LaunchPermission.builder().userId(VAULT).build())));
    assertThatThrownBy(() -> vault.copyImage(copy(imageId, "vault-web-1", "v2")))
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidRequest"))
        .hasMessageContaining("storage");
    source.modifySnapshotAttribute(
        b ->
            b.snapshotId(snapshot)
                .attribute("createVolumePermission")
                .operationType(OperationType.ADD)
                .userIds(VAULT));

    String copy = vault.copyImage(copy(imageId, "vault-web-1", "v3")).imageId();

    assertThat(owned(VAULT, TO))
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.imageId()).isEqualTo(copy);
              assertThat(i.ownerId()).isEqualTo(VAULT);
              assertThat(i.tags()).contains(tag("amifleet:copy-of", imageId));
            });
  }

  @Test
  void withoutTheSharingRuleAnUnsharedImageIsCopiedIntoAnotherAccount() {
    use(b -> b.without(Rule.COPY_SHARING));

    String copy = aws.ec2(VAULT, TO).copyImage(copy(imageId, "vault-web-1", "v1")).imageId();

    assertThat(owned(VAULT, TO).stream().map(Image::imageId).collect(Collectors.toList()))
        .containsExactly(copy);
  }

  @Test
  void copiesBeyondTheConcurrentLimitOfTheDestinationAreRefusedUntilOneIsDone() throws Exception {
    use(
        b ->
            b.maxConcurrentCopies(1)
                .pending(Duration.ofSeconds(2), Duration.ofSeconds(2))
                .timeScale(1));
    Ec2Client dr = aws.ec2(SOURCE, TO);
    dr.copyImage(copy(imageId, "copy-1", "c1"));

    assertThatThrownBy(() -> dr.copyImage(copy(imageId, "copy-2", "c2")))
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("ResourceLimitExceeded"));
    // Another destination has its own limit.
    aws.ec2(SOURCE, "eu-central-1").copyImage(copy(imageId, "copy-3", "c3"));
    Thread.sleep(2_500);
    dr.copyImage(copy(imageId, "copy-2", "c2"));

    assertThat(owned(SOURCE, TO)).hasSize(2);
  }

  @Test
  void withoutTheLimitRuleCopiesAreNotCounted() {
    use(
        b ->
            b.without(Rule.COPY_LIMITS)
                .maxConcurrentCopies(1)
                .pending(Duration.ofSeconds(30), Duration.ofSeconds(30))
                .timeScale(1));
    Ec2Client dr = aws.ec2(SOURCE, TO);
    dr.copyImage(copy(imageId, "copy-1", "c1"));
    dr.copyImage(copy(imageId, "copy-2", "c2"));

    assertThat(owned(SOURCE, TO)).hasSize(2);
  }

  private String encrypted(Ec2Client ec2, String name, String key) {
    return ec2.copyImage(
            copy(imageId, name, name).toBuilder().encrypted(true).kmsKeyId(key).build())
        .imageId();
  }

  private static Image settled(Ec2Client ec2, String id) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    Image i = visible(ec2, id);
    while (i.state() == ImageState.PENDING && System.nanoTime() < deadline) {
      Thread.sleep(200);
      i = visible(ec2, id);
    }
    return i;
  }

  @Test
  void aCopyWithAKeyTheAccountCannotUseEndsFailedAndOneWithItsOwnKeyIsAvailable() throws Exception {
    Ec2Client dr = aws.ec2(SOURCE, TO);
    String key;
    try (KmsClient kms =
        KmsClient.builder()
            .endpointOverride(emulator.endpoint())
            .region(Region.of(TO))
            .credentialsProvider(
                StsAssumeRoleCredentialsProvider.builder()
                    .stsClient(aws.sts())
                    .refreshRequest(
                        r ->
                            r.roleArn("arn:aws:iam::" + SOURCE + ":role/Admin")
                                .roleSessionName("key-admin"))
                    .build())
            .build()) {
      key = kms.createKey(b -> b.description("dr")).keyMetadata().arn();
    }

    Image missing = settled(dr, encrypted(dr, "copy-missing-key", "alias/missing"));
    Image usable = settled(dr, encrypted(dr, "copy-own-key", key));

    assertThat(missing.state()).isEqualTo(ImageState.FAILED);
    assertThat(missing.stateReason().message()).contains("Given key ID is not accessible");
    assertThat(usable.state()).isEqualTo(ImageState.AVAILABLE);
  }

  @Test
  void withoutTheKeyRuleACopyWithAnyKeyIsAvailable() throws Exception {
    use(b -> b.without(Rule.COPY_KMS));
    Ec2Client dr = aws.ec2(SOURCE, TO);

    assertThat(settled(dr, encrypted(dr, "copy-missing-key", "alias/missing")).state())
        .isEqualTo(ImageState.AVAILABLE);
  }
}
