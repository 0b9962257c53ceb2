package io.amifleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.amifleet.cli.testing.Cli;
import io.amifleet.common.config.OrganizationsApi;
import io.amifleet.common.json.Json;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.Seeder;
import io.amifleet.emulator.SharedEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;

/** Organization discovery against moto's AWS Organizations. */
class OrganizationIT {
  private final Emulator emulator = SharedEmulator.get();
  private final ObjectMapper mapper = Json.newMapper();
  private SdkHttpClient http;
  private OrganizationsApi organizations;
  private EmulatedAws aws;
  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    emulator.reset();
    http = ApacheHttpClient.builder().build();
    organizations =
        new OrganizationsApi(
            http, mapper, EmulatedAws.hubCredentials(), emulator.endpoint(), "us-east-1");
    aws = new EmulatedAws(emulator.endpoint(), "us-east-1");
  }

  @AfterEach
  void tearDown() {
    aws.close();
    http.close();
  }

  private JsonNode call(String operation, String json) throws Exception {
    return organizations.call(
        operation, (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(json));
  }

  private String account(String name, String parent, String root) throws Exception {
    JsonNode status =
        call(
            "CreateAccount",
            "{\"AccountName\":\"" + name + "\",\"Email\":\"" + name + "@example.com\"}");
    String id = status.at("/CreateAccountStatus/AccountId").asText();
    if (!parent.equals(root)) {
      call(
          "MoveAccount",
          "{\"AccountId\":\""
              + id
              + "\",\"SourceParentId\":\""
              + root
              + "\",\"DestinationParentId\":\""
              + parent
              + "\"}");
    }
    return id;
  }

  @Test
  void accountsOfAnOuAndItsNestedOusAreDiscoveredExceptExcludedAndSuspendedOnes() throws Exception {
    call("CreateOrganization", "{\"FeatureSet\":\"ALL\"}");
    String root = call("ListRoots", "{}").at("/Roots/0/Id").asText();
    String prod =
        call("CreateOrganizationalUnit", "{\"ParentId\":\"" + root + "\",\"Name\":\"prod\"}")
            .at("/OrganizationalUnit/Id")
            .asText();
    String nested =
        call("CreateOrganizationalUnit", "{\"ParentId\":\"" + prod + "\",\"Name\":\"eu\"}")
            .at("/OrganizationalUnit/Id")
            .asText();
    String web = account("web", prod, root);
    String payments = account("payments", nested, root);
    String excluded = account("sandbox", prod, root);
    String closed = account("retired", prod, root);
    String elsewhere = account("dev", root, root);
    call("CloseAccount", "{\"AccountId\":\"" + closed + "\"}");
    Seeder seeder = new Seeder(aws);
    for (String id : List.of(web, payments, excluded, closed, elsewhere)) {
      seeder.runInstances(id, "us-east-1", 1, Map.of("Backup", "nightly"));
    }
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
