package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.amifleet.cli.testing.Cli;
import io.amifleet.cli.testing.JarProcess;
import io.amifleet.common.json.Json;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.organizations.model.OrganizationFeatureSet;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;

/**
 * Organization discovery against moto's AWS Organizations, through the SDK's Organizations client
 * (2.40.2, on the project's newer SDK core) and its paginators.
 */
class OrganizationIT {
  private final Emulator emulator = SharedEmulator.get();
  private final ObjectMapper mapper = Json.newMapper();
  private OrganizationsClient organizations;
  private EmulatedAws aws;
  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    emulator.reset();
    organizations =
        OrganizationsClient.builder()
            .endpointOverride(emulator.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(EmulatedAws.hubCredentials())
            .build();
    aws = new EmulatedAws(emulator.endpoint(), "us-east-1");
  }

  @AfterEach
  void tearDown() {
    aws.close();
    organizations.close();
  }

  private String ou(String parent, String name) {
    return organizations
        .createOrganizationalUnit(b -> b.parentId(parent).name(name))
        .organizationalUnit()
        .id();
  }

  private String account(String name, String parent, String root) {
    String id =
        organizations
            .createAccount(b -> b.accountName(name).email(name + "@example.com"))
            .createAccountStatus()
            .accountId();
    if (!parent.equals(root)) {
      organizations.moveAccount(
          b -> b.accountId(id).sourceParentId(root).destinationParentId(parent));
    }
    return id;
  }

  /** An organization: prod (web, sandbox, retired-and-closed) with nested eu (payments); dev. */
  private record Org(
      String root, String prod, String web, String payments, String excluded, String dev) {}

  private Org organization() {
    organizations.createOrganization(b -> b.featureSet(OrganizationFeatureSet.ALL));
    String root = organizations.listRoots(b -> {}).roots().get(0).id();
    String prod = ou(root, "prod");
    String nested = ou(prod, "eu");
    String web = account("web", prod, root);
    String payments = account("payments", nested, root);
    String excluded = account("sandbox", prod, root);
    String closed = account("retired", prod, root);
    String elsewhere = account("dev", root, root);
    organizations.closeAccount(b -> b.accountId(closed));
    Seeder seeder = new Seeder(aws);
    for (String id : List.of(web, payments, excluded, closed, elsewhere)) {
      seeder.runInstances(id, "us-east-1", 1, Map.of("Backup", "nightly"));
    }
    return new Org(root, prod, web, payments, excluded, elsewhere);
  }

  @Test
  void accountsOfAnOuAndItsNestedOusAreDiscoveredExceptExcludedAndSuspendedOnes() throws Exception {
    Org org = organization();
    String prod = org.prod();
    String excluded = org.excluded();
    String web = org.web();
    String payments = org.payments();
    Path targets = dir.resolve("targets.yaml");
    Files.writeString(
        targets,
        """
        defaults:
          regions: [us-east-1]
          select: {tags: {Backup: nightly}}
        accounts:
          fromOrganization:
            ous: [%s]
            exclude: ["%s"]
        """
            .formatted(prod, excluded));

    Cli.Result r =
        new Cli(emulator, Map.of())
            .run("dispatch", "--targets", targets.toString(), "--dry-run", "--output", "json");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode summary = mapper.readTree(r.out());
    List<String> accounts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    summary
        .get("accounts")
        .forEach(
            a -> {
              accounts.add(a.get("accountId").asText());
              names.add(a.get("name").asText());
            });
    assertThat(accounts).containsExactlyInAnyOrder(web, payments);
    assertThat(names).containsExactlyInAnyOrder("web", "payments");
    assertThat(summary.get("jobCount").asInt()).isEqualTo(2);
    summary
        .get("jobs")
        .forEach(
            j ->
                assertThat(j.get("roleArn").asText())
                    .isEqualTo(
                        "arn:aws:iam::" + j.get("accountId").asText() + ":role/AmiFleetCreator"));
  }

  @Test
  void awsEndpointUrlReachesTheOrganizationsClientLikeEveryOtherClient() throws Exception {
    Org org = organization();
    Path targets = dir.resolve("targets.yaml");
    Files.writeString(
        targets,
        """
        defaults:
          regions: [us-east-1]
          select: {tags: {Backup: nightly}}
        accounts:
          fromOrganization: {ous: [%s], exclude: ["%s"]}
        """
            .formatted(org.prod(), org.excluded()));

    // Only the environment names the emulator: no --endpoint-url (a real process, as the SDK
    // reads AWS_ENDPOINT_URL itself).
    Cli.Result r =
        new JarProcess(dir)
            .emulatorCredentials()
            .env("AWS_ENDPOINT_URL", emulator.endpoint().toString())
            .run(
                Duration.ofMinutes(2),
                "preflight",
                "--targets",
                targets.toString(),
                "--output",
                "json");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains(org.web()).contains(org.payments()).doesNotContain(org.dev());
  }

  @Test
  void theReaderRoleIsAssumedWithTheDefaultsExternalIdToListTheOrganization() throws Exception {
    Org org = organization();
    List<String> assumed = new ArrayList<>();
    Path targets = dir.resolve("targets.yaml");
    Files.writeString(
        targets,
        """
        defaults:
          regions: [us-east-1]
          externalId: reader-external-id
          select: {tags: {Backup: nightly}}
        accounts:
          fromOrganization:
            ous: [%s]
            roleArn: arn:aws:iam::%s:role/OrgReader
        """
            .formatted(org.prod(), EmulatedAws.HUB_ACCOUNT));

    Cli.Result r =
        new Cli(emulator, Map.of())
            .intercept(
                new ExecutionInterceptor() {
                  @Override
                  public void beforeExecution(
                      Context.BeforeExecution context, ExecutionAttributes attributes) {
                    if (context.request() instanceof AssumeRoleRequest a) {
                      assumed.add(a.roleArn() + " " + a.externalId());
                    }
                  }
                })
            .run("dispatch", "--targets", targets.toString(), "--dry-run", "--output", "json");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(assumed)
        .contains("arn:aws:iam::" + EmulatedAws.HUB_ACCOUNT + ":role/OrgReader reader-external-id");
    assertThat(mapper.readTree(r.out()).get("jobCount").asInt()).isEqualTo(3);
  }

  @Test
  void anOrganizationThatCannotBeReadIsReportedAndExitsOne() throws Exception {
    Path targets = dir.resolve("targets.yaml");
    Files.writeString(
        targets,
        "defaults: {regions: [us-east-1], select: {all: true}}\naccounts: {fromOrganization: {ous: [ou-abcd-12345678]}}\n");

    Cli.Result r =
        new Cli(emulator, Map.of()).run("dispatch", "--targets", targets.toString(), "--dry-run");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("cannot list the organization's accounts");
  }

  @Test
  void organizationSourceNeedsTheDefaultsEveryAccountGets() throws Exception {
    Path targets = dir.resolve("targets.yaml");
    Files.writeString(
        targets,
        "defaults: {regions: [us-east-1]}\naccounts: {fromOrganization: {ous: [bad-ou]}}\n");

    Cli.Result r =
        new Cli(emulator, Map.of()).run("dispatch", "--targets", targets.toString(), "--dry-run");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("accounts.fromOrganization.ous: 'bad-ou' is not an OU ID")
        .contains("select: required");
  }
}
