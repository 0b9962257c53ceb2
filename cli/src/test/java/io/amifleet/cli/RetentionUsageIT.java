package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.amifleet.cli.testing.Cli;
import io.amifleet.common.aws.AwsSettings;
import io.amifleet.common.aws.RoleKey;
import io.amifleet.common.config.Environment;
import io.amifleet.common.config.Retention;
import io.amifleet.common.inject.Bootstrap;
import io.amifleet.common.lifecycle.Closer;
import io.amifleet.common.message.PruneSummary;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.RealisticEmulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import io.amifleet.testing.MutableClock;
import io.amifleet.testing.fault.ErrorInjector;
import io.amifleet.testing.fault.ImageFacts;
import io.amifleet.worker.ImageModule;
import io.amifleet.worker.WorkerSettings;
import io.amifleet.worker.image.Ec2Target;
import io.amifleet.worker.prune.Pruner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * Retention that proves an image unused, through the realistic EC2 layer: each kind of use keeps an
 * image (an instance, a launch template version, an Auto Scaling group's launch configuration, a
 * share, an SSM parameter), deprecation comes before deletion over prunes with a clock that moves,
 * and a check that cannot run keeps every image it could not prove unused. Images are made by
 * amifleet runs; {@link ImageFacts} dates them (moto dates every image "now").
 */
class RetentionUsageIT {
  private static final String A = "111111111111";
  private static final String REGION = "us-east-1";
  private static final String ROLE = "arn:aws:iam::" + A + ":role/AmiFleetCreator";

  private final RealisticEmulator emulator = SharedEmulator.get();
  private final ImageFacts facts = new ImageFacts();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private EmulatedAws aws;
  private Seeder seeder;
  private List<String> instances;
  @TempDir Path dir;

  @BeforeEach
  void setUp() throws Exception {
    emulator.reset();
    // Set-up and checks talk to moto directly; amifleet goes through the layer.
    aws = new EmulatedAws(emulator.motoEndpoint(), REGION);
    seeder = new Seeder(aws);
    instances = seeder.runInstances(A, REGION, 2, Map.of("Backup", "nightly"));
  }

  /**
   * {@code count} nightly amifleet runs r1, r2, ... of both instances, dated (newest last) 40, 30,
   * 20 and 1 day(s) ago: with two, r1 is 20 days old and r2 1 day.
   */
  private void nights(int count) throws Exception {
    Path file = dir.resolve("targets.yaml");
    Files.writeString(
        file,
        """
        defaults:
          regions: [us-east-1]
          select: {tags: {Backup: nightly}}
        accounts:
          - id: "111111111111"
        """);
    Cli cli = new Cli(emulator, Map.of()).intercept(facts);
    List<Integer> ages = List.of(40, 30, 20, 1).subList(4 - count, 4);
    Map<String, Integer> daysAgo = new java.util.HashMap<>();
    for (int n = 1; n <= count; n++) {
      String run = "r" + n;
      daysAgo.put(run, ages.get(n - 1));
      Cli.Result r =
          cli.run("run", "--targets", file.toString(), "--poll-interval", "1s", "--run-id", run);
      assertThat(r.exitCode()).as(r.toString()).isZero();
    }
    for (Image i : seeder.ownedImages(A, REGION)) {
      facts.created(
          i.imageId(),
          Instant.now().minus(Duration.ofDays(daysAgo.get(tag(i, "amifleet:run-id")))));
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    aws.close();
  }

  private static String tag(Image i, String key) {
    return i.tags().stream()
        .filter(t -> t.key().equals(key))
        .map(Tag::value)
        .findFirst()
        .orElse(null);
  }

  /** amifleet's image of run {@code run} of instance {@code n}. */
  private String image(String run, int n) {
    return seeder.ownedImages(A, REGION).stream()
        .filter(
            i ->
                run.equals(tag(i, "amifleet:run-id"))
                    && instances.get(n).equals(tag(i, "amifleet:source-instance")))
        .map(Image::imageId)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no image of " + run + " of instance " + n));
  }

  private Set<String> imageIds() {
    return seeder.ownedImages(A, REGION).stream().map(Image::imageId).collect(Collectors.toSet());
  }

  private AwsCredentialsProvider inAccountA() {
    StsAssumeRoleCredentialsProvider p =
        StsAssumeRoleCredentialsProvider.builder()
            .stsClient(aws.sts())
            .refreshRequest(
                r ->
                    r.roleArn("arn:aws:iam::" + A + ":role/AmiFleetSeeder")
                        .roleSessionName("retention-seeder"))
            .build();
    closing.add(p);
    return p;
  }

  /** A client of moto acting in account A. */
  private <B extends AwsClientBuilder<B, C>, C extends SdkClient> C inA(B builder) {
    C client =
        builder
            .endpointOverride(emulator.motoEndpoint())
            .region(Region.of(REGION))
            .credentialsProvider(inAccountA())
            .build();
    closing.add(client);
    return client;
  }

  private AutoScalingClient autoScaling() {
    return inA(AutoScalingClient.builder());
  }

  private SsmClient ssm() {
    return inA(SsmClient.builder());
  }

  /** amifleet's pruner as a prune job builds it, on {@code clock}, with {@code faults}. */
  private Pruner pruner(MutableClock clock, ExecutionInterceptor... faults) {
    Closer closer = new Closer();
    closing.add(closer);
    List<ExecutionInterceptor> interceptors = new ArrayList<>(List.of(faults));
    interceptors.add(facts);
    return Bootstrap.of(Environment.of(Map.of()), closer)
        .clock(clock)
        .aws(
            AwsSettings.defaults()
                .withRegion(REGION)
                .withEndpoint(emulator.endpoint())
                .withHubCredentials(EmulatedAws.hubCredentials())
                .withInterceptors(interceptors))
        .install(new ImageModule(WorkerSettings.defaults()))
        .start()
        .getInstance(Pruner.class);
  }

  private static final Ec2Target TARGET =
      new Ec2Target(new RoleKey(ROLE, Optional.empty()), A, REGION);

  private static Retention keepLast(int n) {
    return new Retention(Optional.of(n), Optional.empty());
  }

  @Test
  void eachKindOfUseKeepsAnImageAndOnlyTheUnusedOneGoes() throws Exception {
    nights(4);
    Ec2Client ec2 = aws.ec2(A, REGION);
    // keepLast 1: r1, r2 and r3 of both instances are past the policy; five of the six are used.
    String byInstance = image("r1", 0);
    String byTemplate = image("r2", 0);
    String byGroup = image("r3", 0);
    String shared = image("r1", 1);
    String byParameter = image("r2", 1);
    String unused = image("r3", 1);
    String launched =
        ec2.runInstances(
                b -> b.imageId(byInstance).minCount(1).maxCount(1).instanceType("t3.micro"))
            .instances()
            .get(0)
            .instanceId();
    String template =
        ec2.createLaunchTemplate(
                b ->
                    b.launchTemplateName("web")
                        .launchTemplateData(
                            d -> d.imageId(image("r4", 0)).instanceType("t3.micro")))
            .launchTemplate()
            .launchTemplateId();
    // Version 2, neither $Default nor (after version 3) $Latest: every version counts by default.
    ec2.createLaunchTemplateVersion(
        b -> b.launchTemplateId(template).launchTemplateData(d -> d.imageId(byTemplate)));
    ec2.createLaunchTemplateVersion(
        b -> b.launchTemplateId(template).launchTemplateData(d -> d.imageId(image("r4", 0))));
    AutoScalingClient autoScaling = autoScaling();
    autoScaling.createLaunchConfiguration(
        b -> b.launchConfigurationName("web-v3").imageId(byGroup).instanceType("t3.micro"));
    autoScaling.createAutoScalingGroup(
        b ->
            b.autoScalingGroupName("web")
                .launchConfigurationName("web-v3")
                .minSize(0)
                .maxSize(1)
                .desiredCapacity(0)
                .availabilityZones(REGION + "a"));
    ec2.modifyImageAttribute(
        b ->
            b.imageId(shared)
                .attribute("launchPermission")
                .launchPermission(p -> p.add(l -> l.userId("222222222222"))));
    ssm()
        .putParameter(
            b -> b.name("/amis/web/latest").value(byParameter).type(ParameterType.STRING));
    Retention policy =
        new Retention(
            Optional.of(1),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(List.of("/amis/")));
    Path file = dir.resolve("policy.yaml");
    Files.writeString(
        file,
        """
        defaults:
          regions: [us-east-1]
          select: {tags: {Backup: nightly}}
          retention: {keepLast: 1, parameterPaths: [/amis/]}
        accounts:
          - id: "111111111111"
        """);
    Cli cli = new Cli(emulator, Map.of()).intercept(facts);
    Cli.Result table = cli.run("prune", "--targets", file.toString(), "--dry-run");
    Cli.Result json = cli.run("prune", "--targets", file.toString(), "--dry-run", "-o", "json");
    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(json.exitCode()).as(json.toString()).isZero();
    assertThat(table.out())
        .contains("dry run: 1 image(s)")
        .containsPattern("delete +" + unused + " .*beyond keepLast 1")
        .containsPattern("keep +" + byGroup + " .*in use by asg web")
        .contains("Recycle Bin rules not checked");
    JsonNode dry = new ObjectMapper().readTree(json.out());
    Map<String, String> actions = new java.util.HashMap<>();
    Map<String, String> why = new java.util.HashMap<>();
    dry.get("decisions")
        .forEach(
            d -> {
              actions.put(d.get("imageId").asText(), d.get("action").asText());
              why.put(d.get("imageId").asText(), d.get("why").toString());
            });
    assertThat(actions).containsEntry(unused, "delete").containsEntry(shared, "keep");
    assertThat(actions.values()).filteredOn("delete"::equals).hasSize(1);
    assertThat(why.get(byParameter)).contains("named in parameter /amis/web/latest");
    assertThat(dry.get("checkCalls").asInt()).isPositive();
    assertThat(imageIds()).as("a dry run changes nothing").contains(unused);
    Pruner pruner = pruner(new MutableClock(Instant.now()));
    // The policy's relaxations: only $Default and $Latest of a template, shared images may go.
    Pruner.Plan relaxed =
        pruner
            .plan(
                TARGET,
                new Retention(
                    Optional.of(1),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(true),
                    Optional.of(Retention.LaunchTemplateVersions.DEFAULT_AND_LATEST),
                    Optional.of(List.of("/amis/"))))
            .get();
    assertThat(relaxed.images())
        .extracting(i -> i.imageId())
        .containsExactlyInAnyOrder(unused, byTemplate, shared);

    Pruner.Plan plan = pruner.plan(TARGET, policy).get();
    PruneSummary summary = pruner.prune(TARGET, policy).get();

    assertThat(plan.images()).extracting(i -> i.imageId()).containsExactly(unused);
    assertThat(summary.deletedImageIds()).containsExactly(unused);
    assertThat(imageIds())
        .contains(byInstance, byTemplate, byGroup, shared, byParameter)
        .doesNotContain(unused);
    assertThat(String.join("\n", summary.keptImagesWhy()))
        .contains(byInstance + ": beyond keepLast 1; in use by instance " + launched)
        .contains(
            byTemplate + ": beyond keepLast 1; in use by launch template " + template + " (web):v2")
        .contains(byGroup + ": beyond keepLast 1; in use by asg web (launch configuration web-v3)")
        .contains(shared + ": beyond keepLast 1; shared with 222222222222")
        .contains(byParameter + ": beyond keepLast 1; named in parameter /amis/web/latest");
    assertThat(summary.checksNotRun()).isEmpty();
    assertThat(summary.checkCalls()).isPositive();
    assertThat(summary.notes()).anyMatch(n -> n.startsWith("Recycle Bin rules not checked"));
  }

  @Test
  void imagesAreDeprecatedFirstAndDeregisteredOnlyLongEnoughAfterAndOnlyIfStillUnused()
      throws Exception {
    nights(4);
    Ec2Client ec2 = aws.ec2(A, REGION);
    Retention policy =
        new Retention(
            Optional.of(2),
            Optional.empty(),
            Optional.empty(),
            Optional.of(Duration.ofDays(7)),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    String r10 = image("r1", 0);
    String r20 = image("r2", 0);
    String r11 = image("r1", 1);
    String r21 = image("r2", 1);
    Set<String> past = Set.of(r10, r20, r11, r21);
    MutableClock clock = new MutableClock(Instant.now());
    Pruner pruner = pruner(clock);

    PruneSummary first = pruner.prune(TARGET, policy).get();

    assertThat(first.deletedImageIds()).isEmpty();
    assertThat(first.deprecatedImageIds()).containsExactlyInAnyOrderElementsOf(past);
    // EC2's own record (here the layer's), read back by the next pass: no state of amifleet's.
    try (Ec2Client layer =
        Ec2Client.builder()
            .endpointOverride(emulator.endpoint())
            .region(Region.of(REGION))
            .credentialsProvider(inAccountA())
            .build()) {
      assertThat(layer.describeImages(b -> b.imageIds(past)).images())
          .hasSize(4)
          .allSatisfy(i -> assertThat(i.deprecationTime()).isNotNull());
    }
    assertThat(imageIds()).containsAll(past);

    // Launched from after it was deprecated: still in use when it could go.
    String launched =
        ec2.runInstances(b -> b.imageId(r11).minCount(1).maxCount(1).instanceType("t3.micro"))
            .instances()
            .get(0)
            .instanceId();
    // A launch template that names its image through a parameter (outside any parameterPaths).
    ssm().putParameter(b -> b.name("/other/app").value(r20).type(ParameterType.STRING));
    String app =
        ec2.createLaunchTemplate(
                b ->
                    b.launchTemplateName("app")
                        .launchTemplateData(
                            d -> d.imageId("resolve:ssm:/other/app").instanceType("t3.micro")))
            .launchTemplate()
            .launchTemplateId();
    clock.advance(Duration.ofDays(3));
    PruneSummary tooSoon = pruner.prune(TARGET, policy).get();
    assertThat(tooSoon.deletedImageIds()).isEmpty();
    assertThat(tooSoon.deprecatedImageIds()).as("deprecated once, not again").isEmpty();
    assertThat(String.join("\n", tooSoon.keptImagesWhy())).contains("deregistered from");

    clock.advance(Duration.ofDays(5));
    PruneSummary second = pruner.prune(TARGET, policy).get();
    assertThat(second.deletedImageIds()).containsExactlyInAnyOrder(r10, r21);
    assertThat(String.join("\n", second.keptImagesWhy()))
        .contains("in use by launch template " + app + " (app):v1 via parameter /other/app");
    assertThat(String.join("\n", second.keptImagesWhy()))
        .contains(r11 + ": beyond keepLast 2; deprecated at ")
        .contains("in use by instance " + launched);
    assertThat(imageIds()).contains(r11, r20, image("r3", 0)).doesNotContain(r10, r21);
  }

  @Test
  void aCheckThatCannotRunKeepsEveryImageItCouldNotProveUnused() throws Exception {
    nights(2);
    Set<String> before = imageIds();
    Pruner pruner =
        pruner(
            new MutableClock(Instant.now()),
            ErrorInjector.always(Set.of("DescribeLaunchTemplates"), "UnauthorizedOperation", 403));

    PruneSummary summary = pruner.prune(TARGET, keepLast(1)).get();

    assertThat(summary.deletedImageIds()).isEmpty();
    assertThat(imageIds()).isEqualTo(before);
    assertThat(summary.checksNotRun())
        .singleElement()
        .asString()
        .startsWith("launch templates: could not check: ")
        .contains("UnauthorizedOperation");
    assertThat(summary.keptImagesWhy()).hasSize(2).allMatch(k -> k.contains("could not check"));
  }
}
