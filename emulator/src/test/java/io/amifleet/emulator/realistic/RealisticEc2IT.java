package io.amifleet.emulator.realistic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * Each rule of the realistic EC2 layer against moto over HTTP: what the rule does, and that the
 * behaviour goes when the rule is switched off. Clients are the SDK without retries (so a refusal
 * is seen, not retried away), and the aws CLI for the wire format.
 */
class RealisticEc2IT {
  private static final String REGION = "us-east-1";
  private static final String HUB = EmulatedAws.HUB_ACCOUNT;
  private static final String OTHER = "210987654321";

  private final RealisticEmulator emulator = SharedEmulator.get();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private EmulatedAws aws;
  private Seeder seeder;

  @BeforeEach
  void setUp() {
    emulator.reset();
    aws = new EmulatedAws(emulator.endpoint(), REGION);
    seeder = new Seeder(aws);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    aws.close();
  }

  private void use(Consumer<RealismSettings.Builder> change) {
    RealismSettings.Builder b = SharedEmulator.testSettings().toBuilder();
    change.accept(b);
    emulator.layer().use(b.build());
  }

  private Ec2Client ec2(AwsCredentialsProvider credentials) {
    Ec2Client c =
        Ec2Client.builder()
            .endpointOverride(emulator.endpoint())
            .region(Region.of(REGION))
            .credentialsProvider(credentials)
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build();
    closing.add(c);
    return c;
  }

  private Ec2Client hub() {
    return ec2(EmulatedAws.hubCredentials());
  }

  private static String errorCode(Throwable e) {
    return ((AwsServiceException) e).awsErrorDetails().errorCode();
  }

  private String instance() {
    return seeder.runInstances(HUB, REGION, 1, Map.of("Name", "web")).get(0);
  }

  private String createImage(Ec2Client ec2, String instance, String name) {
    return ec2.createImage(b -> b.instanceId(instance).name(name).noReboot(true)).imageId();
  }

  private Image describe(Ec2Client ec2, String imageId) {
    return ec2.describeImages(b -> b.imageIds(imageId)).images().get(0);
  }

  // 1. Throttling

  @Test
  void anEmptyBucketAnswersRequestLimitExceededPerAccountAndApi() {
    use(b -> b.bucket("DescribeRegions", new RealismSettings.Bucket(3, 0.01)));
    Ec2Client hub = hub();
    for (int i = 0; i < 3; i++) {
      hub.describeRegions();
    }
    assertThatThrownBy(hub::describeRegions)
        .isInstanceOfSatisfying(
            AwsServiceException.class,
            e -> {
              assertThat(e.isThrottlingException()).isTrue();
              assertThat(e.statusCode()).isEqualTo(503);
              assertThat(errorCode(e)).isEqualTo("RequestLimitExceeded");
            });
    hub.describeAvailabilityZones();
    aws.ec2(OTHER, REGION).describeRegions();
    var stats = emulator.layer().stats();
    assertThat(stats.throttled("EC2.DescribeRegions")).isEqualTo(1);
    assertThat(stats.calls("EC2.DescribeRegions", HUB)).isEqualTo(4);
    assertThat(stats.calls("EC2.DescribeRegions", OTHER)).isEqualTo(1);
  }

  @Test
  void withoutThrottlingTheBucketIsNeverEmpty() {
    use(
        b ->
            b.bucket("DescribeRegions", new RealismSettings.Bucket(3, 0.01))
                .without(Rule.THROTTLING));
    Ec2Client hub = hub();
    for (int i = 0; i < 6; i++) {
      hub.describeRegions();
    }
    assertThat(emulator.layer().stats().throttled("EC2.DescribeRegions")).isZero();
  }

  /**
   * The layer answers every request on a kept-alive connection, refused or not, and never closes
   * it. (The SDK's Netty client sometimes reports "connection was closed during the request" for a
   * call sent right after a throttled answer on the same connection; this shows that the layer is
   * not the one closing: one socket, one request after another, every answer read.)
   */
  @Test
  void oneConnectionCarriesEveryAnswerThroughThrottledOnes() throws Exception {
    use(b -> b.bucket("DescribeRegions", new RealismSettings.Bucket(3, 0.01)));
    String accessKey = EmulatedAws.hubCredentials().resolveCredentials().accessKeyId();
    byte[] body = "Action=DescribeRegions&Version=2016-11-15".getBytes(StandardCharsets.UTF_8);
    String head =
        "POST / HTTP/1.1\r\n"
            + "Host: "
            + emulator.endpoint().getAuthority()
            + "\r\n"
            + "Authorization: AWS4-HMAC-SHA256 Credential="
            + accessKey
            + "/20260101/"
            + REGION
            + "/ec2/aws4_request, SignedHeaders=host, Signature=0\r\n"
            + "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
            + "Content-Length: "
            + body.length
            + "\r\n\r\n";
    List<Integer> statuses = new ArrayList<>();
    try (Socket socket = new Socket(emulator.endpoint().getHost(), emulator.endpoint().getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      for (int i = 0; i < 40; i++) {
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        String status = line(in);
        int length = -1;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
          String lower = h.toLowerCase(Locale.ROOT);
          assertThat(lower)
              .as("answer %d keeps the connection", i)
              .isNotEqualTo("connection: close");
          if (lower.startsWith("content-length:")) {
            length = Integer.parseInt(h.substring("content-length:".length()).trim());
          }
        }
        assertThat(length).as("answer %d has a length", i).isNotNegative();
        in.readFully(new byte[length]);
        statuses.add(Integer.parseInt(status.split(" ")[1]));
      }
    }
    assertThat(statuses.subList(0, 3)).containsOnly(200);
    assertThat(statuses.subList(3, statuses.size())).containsOnly(503);
    assertThat(emulator.layer().stats().calls("EC2.DescribeRegions", HUB)).isEqualTo(40);
  }

  /** One CRLF-ended line of an HTTP head; fails when the connection ends before it. */
  private static String line(DataInputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("the layer closed the connection; read so far: " + b);
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  // 2. Time: latency, pending images, failed images

  @Test
  void everyEc2CallTakesAtLeastTheDrawnLatency() {
    use(b -> b.latency(Duration.ofMillis(1500), Duration.ofMillis(1500)));
    Ec2Client hub = hub();
    hub.describeRegions();
    long start = System.nanoTime();
    hub.describeRegions();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1500));

    use(b -> b.latency(Duration.ofMillis(1500), Duration.ofMillis(1500)).without(Rule.LATENCY));
    start = System.nanoTime();
    hub.describeRegions();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
  }

  @Test
  void anImageIsPendingForItsTimeThenAvailableAndStateFiltersAgree() throws Exception {
    use(
        b ->
            b.pending(Duration.ofSeconds(2), Duration.ofSeconds(2))
                .timeScale(1)
                .consistencyWindow(Duration.ZERO));
    Ec2Client hub = hub();
    String image = createImage(hub, instance(), "pending-image");

    assertThat(describe(hub, image).state()).isEqualTo(ImageState.PENDING);
    assertThat(
            ids(
                hub.describeImages(
                        b -> b.owners("self").filters(f -> f.name("state").values("pending")))
                    .images()))
        .containsExactly(image);
    assertThat(
            ids(
                hub.describeImages(
                        b -> b.owners("self").filters(f -> f.name("state").values("available")))
                    .images()))
        .doesNotContain(image);
    Thread.sleep(2100);
    assertThat(describe(hub, image).state()).isEqualTo(ImageState.AVAILABLE);
    assertThat(
            ids(
                hub.describeImages(
                        b -> b.owners("self").filters(f -> f.name("state").values("available")))
                    .images()))
        .containsExactly(image);
  }

  @Test
  void withoutPendingImagesAnImageIsAvailableAtOnce() {
    use(
        b ->
            b.pending(Duration.ofMinutes(5), Duration.ofMinutes(5))
                .timeScale(1)
                .consistencyWindow(Duration.ZERO)
                .without(Rule.PENDING_IMAGES));
    Ec2Client hub = hub();
    String image = createImage(hub, instance(), "instant-image");
    assertThat(describe(hub, image).state()).isEqualTo(ImageState.AVAILABLE);
  }

  @Test
  void imagesOfAFailingInstanceOrTheFailedShareEndFailedWithAStateReason() throws Exception {
    String bad = instance();
    use(
        b ->
            b.pending(Duration.ofMillis(200), Duration.ofMillis(200))
                .timeScale(1)
                .consistencyWindow(Duration.ZERO)
                .failingInstances(Set.of(bad)));
    Ec2Client hub = hub();
    String failing = createImage(hub, bad, "failing-image");
    String good = createImage(hub, instance(), "good-image");
    Thread.sleep(300);
    Image failed = describe(hub, failing);
    assertThat(failed.state()).isEqualTo(ImageState.FAILED);
    assertThat(failed.stateReason().code()).isEqualTo("Server.InternalError");
    assertThat(failed.stateReason().message()).contains("internal error");
    assertThat(describe(hub, good).state()).isEqualTo(ImageState.AVAILABLE);

    use(
        b ->
            b.failedShare(1.0)
                .timeScale(1)
                .pending(Duration.ZERO, Duration.ZERO)
                .consistencyWindow(Duration.ZERO));
    assertThat(describe(hub, createImage(hub, instance(), "share-image")).state())
        .isEqualTo(ImageState.FAILED);
    use(
        b ->
            b.failedShare(1.0)
                .timeScale(1)
                .pending(Duration.ZERO, Duration.ZERO)
                .consistencyWindow(Duration.ZERO)
                .without(Rule.PENDING_IMAGES));
    assertThat(describe(hub, createImage(hub, bad, "no-rule-image")).state())
        .isEqualTo(ImageState.AVAILABLE);
  }

  @Test
  void theLayerRecordsEachImageCreateImageMadeWithItsPendingTimeAndNoOtherImageOrCall() {
    use(
        b ->
            b.pending(Duration.ofSeconds(2), Duration.ofSeconds(2))
                .timeScale(1)
                .bucket("CreateImage", new RealismSettings.Bucket(2, 0.01)));
    Ec2Client hub = hub();
    CreatedImages.Snapshot before = emulator.layer().createdImages();
    String image = createImage(hub, instance(), "recorded-image");
    // Refused after taking the bucket's last token, then throttled: neither made an image.
    assertThatThrownBy(() -> createImage(hub, instance(), "ab"))
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidAMIName.Malformed"));
    assertThatThrownBy(() -> createImage(hub, instance(), "throttled-image"))
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("RequestLimitExceeded"));
    String copy =
        hub.copyImage(b -> b.sourceImageId(image).sourceRegion(REGION).name("copied-image"))
            .imageId();

    assertThat(copy).startsWith("ami-");
    assertThat(emulator.layer().createdImages().since(before).images())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.account()).isEqualTo(HUB);
              assertThat(m.region()).isEqualTo(REGION);
              assertThat(m.pendingNanos()).isEqualTo(Duration.ofSeconds(2).toNanos());
            });
    emulator.reset();
    assertThat(emulator.layer().createdImages().images()).isEmpty();
  }

  // 3. Eventual consistency

  @Test
  void aNewImageIsUnknownToDescribeImagesForTheWindow() throws Exception {
    use(b -> b.consistencyWindow(Duration.ofSeconds(2)).without(Rule.PENDING_IMAGES));
    Ec2Client hub = hub();
    String image = createImage(hub, instance(), "lagging-image");

    assertThatThrownBy(() -> describe(hub, image))
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidAMIID.NotFound"))
        .hasMessageContaining(image);
    assertThat(ids(hub.describeImages(b -> b.owners("self")).images())).doesNotContain(image);
    Thread.sleep(2100);
    assertThat(describe(hub, image).imageId()).isEqualTo(image);

    use(
        b ->
            b.consistencyWindow(Duration.ofSeconds(30))
                .without(Rule.CONSISTENCY, Rule.PENDING_IMAGES));
    String next = createImage(hub, instance(), "visible-image");
    assertThat(describe(hub, next).imageId()).isEqualTo(next);
  }

  // 4. Validation

  @Test
  void moreThanAThousandIdsOrTwoHundredFilterValuesAreRefused() {
    Ec2Client hub = hub();
    List<String> ids =
        IntStream.range(0, 1001).mapToObj(i -> String.format("ami-%017x", i)).toList();
    List<String> values = IntStream.range(0, 201).mapToObj(i -> "v" + i).toList();

    assertThatThrownBy(() -> hub.describeImages(b -> b.imageIds(ids)))
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidParameterValue"))
        .hasMessageContaining("1001 ImageId values");
    assertThatThrownBy(
            () -> hub.describeInstances(b -> b.filters(f -> f.name("instance-id").values(values))))
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("FilterLimitExceeded"));

    use(b -> b.without(Rule.DESCRIBE_LIMITS));
    assertThatThrownBy(() -> hub.describeImages(b -> b.imageIds(ids)))
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidAMIID.NotFound"));
    assertThat(
            hub.describeInstances(b -> b.filters(f -> f.name("instance-id").values(values)))
                .reservations())
        .isEmpty();
  }

  @Test
  void amiNamesMustBeWellFormedAndUniquePerAccountAndRegion() {
    Ec2Client hub = hub();
    String instance = instance();
    assertThatThrownBy(() -> createImage(hub, instance, "no*stars"))
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidAMIName.Malformed"));
    assertThatThrownBy(() -> createImage(hub, instance, "ab"))
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidAMIName.Malformed"));

    String first = createImage(hub, instance, "nightly-web-1");
    assertThatThrownBy(() -> createImage(hub, instance, "nightly-web-1"))
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidAMIName.Duplicate"))
        .hasMessageContaining(first);
    // Unique per account+region: another account may use the name.
    createImage(
        aws.ec2(OTHER, REGION),
        seeder.runInstances(OTHER, REGION, 1, Map.of()).get(0),
        "nightly-web-1");
    // A deregistered image frees its name.
    hub.deregisterImage(b -> b.imageId(first));
    createImage(hub, instance, "nightly-web-1");

    use(b -> b.without(Rule.IMAGE_NAMES, Rule.DUPLICATE_NAMES));
    createImage(hub, instance, "no*stars");
    createImage(hub, instance, "nightly-web-1");
  }

  @Test
  void atMostFiftyTagsPerResourceAndNoAwsKeys() {
    Ec2Client hub = hub();
    String instance = instance();
    List<Tag> many =
        IntStream.range(0, 51)
            .mapToObj(i -> Tag.builder().key("k" + i).value("v").build())
            .toList();
    Tag reserved = Tag.builder().key("aws:owner").value("me").build();

    assertThatThrownBy(() -> hub.createTags(b -> b.resources(instance).tags(many)))
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("TagLimitExceeded"));
    assertThatThrownBy(() -> hub.createTags(b -> b.resources(instance).tags(reserved)))
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidParameterValue"))
        .hasMessageContaining("aws:");
    assertThatThrownBy(
            () ->
                hub.createImage(
                    b ->
                        b.instanceId(instance)
                            .name("tagged-image")
                            .tagSpecifications(
                                TagSpecification.builder()
                                    .resourceType(ResourceType.IMAGE)
                                    .tags(many)
                                    .build())))
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("TagLimitExceeded"));

    // moto counts tags per resource itself, but lets aws: keys through.
    use(b -> b.without(Rule.TAG_LIMITS));
    hub.createTags(b -> b.resources(instance).tags(reserved));
  }

  @Test
  void creatingAnImageOfATerminatedInstanceIsIncorrectInstanceState() {
    Ec2Client hub = hub();
    String instance = instance();
    hub.terminateInstances(b -> b.instanceIds(instance));
    assertThatThrownBy(() -> createImage(hub, instance, "gone-image"))
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("IncorrectInstanceState"))
        .hasMessageContaining(instance);

    use(b -> b.without(Rule.INSTANCE_STATE));
    assertThat(createImage(hub, instance, "gone-image")).startsWith("ami-");
  }

  // 5. What moto lacks

  @Test
  void aDeprecationIsKeptRoundedToTheMinuteAndAnsweredByDescribeImagesUntilDisabled() {
    use(b -> b.without(Rule.PENDING_IMAGES, Rule.CONSISTENCY));
    Ec2Client hub = hub();
    String image = createImage(hub, instance(), "to-deprecate");
    java.time.Instant at =
        java.time.Instant.now().plus(java.time.Duration.ofHours(2)).plusSeconds(20);

    hub.enableImageDeprecation(b -> b.imageId(image).deprecateAt(at));

    java.time.Instant rounded =
        at.plusSeconds(30).truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
    assertThat(java.time.Instant.parse(describe(hub, image).deprecationTime())).isEqualTo(rounded);
    assertThat(
            hub.describeImages(b -> b.owners("self")).images().stream()
                .filter(i -> i.imageId().equals(image))
                .map(Image::deprecationTime)
                .toList())
        .containsExactly(describe(hub, image).deprecationTime());
    assertThatThrownBy(
            () ->
                hub.enableImageDeprecation(
                    b ->
                        b.imageId(image)
                            .deprecateAt(
                                java.time.Instant.now().minus(java.time.Duration.ofDays(1)))))
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidParameterValue"));
    assertThatThrownBy(
            () ->
                hub.enableImageDeprecation(b -> b.imageId("ami-0123456789abcdef0").deprecateAt(at)))
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidAMIID.NotFound"));

    hub.disableImageDeprecation(b -> b.imageId(image));
    assertThat(describe(hub, image).deprecationTime()).isNull();

    // Without the rule the call reaches moto, which has no such action, and nothing is kept.
    use(b -> b.without(Rule.PENDING_IMAGES, Rule.CONSISTENCY, Rule.IMAGE_DEPRECATION));
    Throwable off =
        catchThrowable(() -> hub.enableImageDeprecation(b -> b.imageId(image).deprecateAt(at)));
    assertThat(off).as("moto has no EnableImageDeprecation").isNotNull();
    assertThat(describe(hub, image).deprecationTime()).isNull();
  }

  @Test
  void snapshotTagSpecificationsTagTheImagesSnapshotsBeforeCreateImageAnswers() {
    use(b -> b.consistencyWindow(Duration.ZERO));
    Ec2Client hub = hub();
    String image =
        hub.createImage(
                b ->
                    b.instanceId(instance())
                        .name("with-snapshot-tags")
                        .tagSpecifications(
                            TagSpecification.builder()
                                .resourceType(ResourceType.IMAGE)
                                .tags(Tag.builder().key("kind").value("image").build())
                                .build(),
                            TagSpecification.builder()
                                .resourceType(ResourceType.SNAPSHOT)
                                .tags(Tag.builder().key("kind").value("snapshot").build())
                                .build()))
            .imageId();
    use(b -> b.consistencyWindow(Duration.ZERO));
    List<String> snapshots =
        emulator.layer().settings().on(Rule.CONSISTENCY) ? snapshotIdsOf(hub, image) : List.of();
    assertThat(snapshots).isNotEmpty();
    assertThat(hub.describeSnapshots(b -> b.snapshotIds(snapshots)).snapshots())
        .allSatisfy(
            s ->
                assertThat(s.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value)))
                    .containsEntry("kind", "snapshot"));

    use(b -> b.without(Rule.SNAPSHOT_TAGS));
    assertThatThrownBy(
            () ->
                hub.createImage(
                    b ->
                        b.instanceId(instance())
                            .name("moto-cannot")
                            .tagSpecifications(
                                TagSpecification.builder()
                                    .resourceType(ResourceType.SNAPSHOT)
                                    .tags(Tag.builder().key("kind").value("snapshot").build())
                                    .build())))
        .isInstanceOf(AwsServiceException.class);
  }

  @Test
  void theNamedPermissiveProfileStillMakesImagesWithSnapshotTags() {
    // What `amifleet emulator start --profile permissive` serves: amifleet always sends snapshot
    // TagSpecifications, which moto alone answers with an HTTP 500.
    emulator.layer().use(RealismSettings.profile("permissive"));
    assertThat(emulator.layer().settings().rules()).containsExactly(Rule.SNAPSHOT_TAGS);
    Ec2Client hub = hub();

    String image =
        hub.createImage(
                b ->
                    b.instanceId(instance())
                        .name("permissive-with-snapshot-tags")
                        .tagSpecifications(
                            TagSpecification.builder()
                                .resourceType(ResourceType.SNAPSHOT)
                                .tags(Tag.builder().key("kind").value("snapshot").build())
                                .build()))
            .imageId();

    assertThat(describe(hub, image).stateAsString()).isEqualTo("available");
  }

  private List<String> snapshotIdsOf(Ec2Client ec2, String imageId) {
    Image image = ec2.describeImages(b -> b.imageIds(imageId)).images().get(0);
    return image.blockDeviceMappings().stream()
        .filter(m -> m.ebs() != null && m.ebs().snapshotId() != null)
        .map(m -> m.ebs().snapshotId())
        .toList();
  }

  // 6. STS

  @Test
  void assumeRoleDemandsTheRolesExternalIdAndNeverPrintsIt() {
    use(b -> b.externalId("Guarded", "s3cret-external-id"));
    String role = "arn:aws:iam::" + OTHER + ":role/Guarded";
    StsClient sts = aws.sts();

    assertThatThrownBy(
            () -> sts.assumeRole(b -> b.roleArn(role).roleSessionName("s").externalId("wrong")))
        .satisfies(
            e -> {
              assertThat(errorCode(e)).isEqualTo("AccessDenied");
              assertThat(((AwsServiceException) e).statusCode()).isEqualTo(403);
            })
        .hasMessageContaining(role)
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> sts.assumeRole(b -> b.roleArn(role).roleSessionName("s")))
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("AccessDenied"));
    assertThat(
            sts.assumeRole(
                    b -> b.roleArn(role).roleSessionName("s").externalId("s3cret-external-id"))
                .credentials()
                .accessKeyId())
        .isNotBlank();
    assertThat(emulator.layer().settings().toString()).doesNotContain("s3cret");

    use(b -> b.externalId("Guarded", "s3cret-external-id").without(Rule.EXTERNAL_ID));
    sts.assumeRole(b -> b.roleArn(role).roleSessionName("s").externalId("wrong"));
  }

  @Test
  void shortLivedCredentialsExpireAndTheSdkRefreshesThem() throws Exception {
    use(b -> b.credentialLifetime(Duration.ofSeconds(2)).without(Rule.LATENCY));
    String role = "arn:aws:iam::" + OTHER + ":role/ShortLived";
    Credentials c = aws.sts().assumeRole(b -> b.roleArn(role).roleSessionName("s")).credentials();
    assertThat(c.expiration()).isBefore(Instant.now().plusSeconds(5));
    Ec2Client fixed =
        ec2(
            software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                software.amazon.awssdk.auth.credentials.AwsSessionCredentials.create(
                    c.accessKeyId(), c.secretAccessKey(), c.sessionToken())));
    fixed.describeRegions();
    Thread.sleep(2100);
    assertThatThrownBy(fixed::describeRegions)
        .satisfies(e -> assertThat(errorCode(e)).isEqualTo("RequestExpired"));

    // The SDK's provider refreshes before expiry, so a client using it never sees RequestExpired.
    StsAssumeRoleCredentialsProvider refreshing =
        StsAssumeRoleCredentialsProvider.builder()
            .stsClient(aws.sts())
            .refreshRequest(b -> b.roleArn(role).roleSessionName("refreshing"))
            .staleTime(Duration.ofMillis(500))
            .prefetchTime(Duration.ofMillis(1000))
            .build();
    closing.add(refreshing);
    emulator.layer().resetStats();
    Ec2Client client = ec2(refreshing);
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < end) {
      client.describeRegions();
      Thread.sleep(200);
    }
    assertThat(emulator.layer().stats().calls("STS.AssumeRole")).isGreaterThanOrEqualTo(3);
    assertThat(emulator.layer().stats().errors("EC2.DescribeRegions")).isZero();

    use(b -> b.credentialLifetime(Duration.ofSeconds(2)).without(Rule.CREDENTIAL_EXPIRY));
    Credentials lasting =
        aws.sts().assumeRole(b -> b.roleArn(role).roleSessionName("s")).credentials();
    assertThat(lasting.expiration()).isAfter(Instant.now().plusSeconds(600));
  }

  // 7. Counters

  @Test
  void countersPerApiAndAccountAreServedAsJsonAndCanBeReset() throws Exception {
    Ec2Client hub = hub();
    hub.describeRegions();
    hub.describeRegions();
    aws.ec2(OTHER, REGION).describeRegions();
    HttpClient http = HttpClient.newHttpClient();
    URI stats = emulator.endpoint().resolve(RealisticEc2Proxy.STATS_PATH);

    String json =
        http.send(HttpRequest.newBuilder(stats).build(), HttpResponse.BodyHandlers.ofString())
            .body();

    assertThat(json)
        .contains(
            "\"EC2.DescribeRegions\":{\"calls\":3,\"throttled\":0,\"errors\":0,\"accounts\":{")
        .contains("\"" + HUB + "\":{\"calls\":2")
        .contains("\"" + OTHER + "\":{\"calls\":1")
        .contains("\"STS.AssumeRole\"")
        .contains("\"cpuNanos\":");
    assertThat(emulator.layer().stats().cpuNanos()).isPositive();
    http.send(
        HttpRequest.newBuilder(emulator.endpoint().resolve(RealisticEc2Proxy.STATS_PATH + "/reset"))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(emulator.layer().stats().totalCalls()).isZero();
  }

  // The wire format, as another AWS tool reads it

  @Test
  void theAwsCliReadsTheLayersAnswersAndErrors() throws Exception {
    use(
        b ->
            b.consistencyWindow(Duration.ofSeconds(30))
                .bucket("DescribeRegions", new RealismSettings.Bucket(1, 0.01)));
    String image = createImage(hub(), instance(), "cli-image");

    Cli notFound = cli("ec2", "describe-images", "--image-ids", image);
    assertThat(notFound.exit()).isNotZero();
    assertThat(notFound.output()).contains("InvalidAMIID.NotFound").contains(image);

    assertThat(cli("ec2", "describe-regions").exit()).isZero();
    Cli throttled = cli("ec2", "describe-regions");
    assertThat(throttled.exit()).isNotZero();
    assertThat(throttled.output()).contains("RequestLimitExceeded");

    use(b -> b.externalId("CliRole", "cli-external-id"));
    Cli denied =
        cli(
            "sts",
            "assume-role",
            "--role-arn",
            "arn:aws:iam::" + OTHER + ":role/CliRole",
            "--role-session-name",
            "cli",
            "--external-id",
            "wrong");
    assertThat(denied.exit()).isNotZero();
    assertThat(denied.output()).contains("AccessDenied");

    Cli queue = cli("sqs", "create-queue", "--queue-name", "through-the-layer");
    assertThat(queue.exit()).as(queue.output()).isZero();
    assertThat(emulator.layer().stats().calls("SQS.CreateQueue")).isEqualTo(1);
  }

  private record Cli(int exit, String output) {}

  private Cli cli(String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("aws", "--endpoint-url", emulator.endpoint().toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("AWS_ACCESS_KEY_ID", EmulatedAws.ACCESS_KEY);
    pb.environment().put("AWS_SECRET_ACCESS_KEY", EmulatedAws.SECRET_KEY);
    pb.environment().put("AWS_DEFAULT_REGION", REGION);
    pb.environment().put("AWS_MAX_ATTEMPTS", "1");
    pb.environment().remove("AWS_PROFILE");
    pb.environment().remove("AWS_SESSION_TOKEN");
    Process p;
    try {
      p = pb.start();
    } catch (java.io.IOException e) {
      throw new AssertionError("the aws CLI is needed for this test: pip install awscli", e);
    }
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    return new Cli(p.waitFor(), out);
  }

  private static List<String> ids(List<Image> images) {
    return images.stream().map(Image::imageId).toList();
  }
}
