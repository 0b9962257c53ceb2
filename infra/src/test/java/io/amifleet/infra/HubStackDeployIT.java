package io.amifleet.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import io.amifleet.emulator.EmulatedAws;
import io.amifleet.emulator.Emulator;
import io.amifleet.emulator.SharedEmulator;
import io.amifleet.infra.HubStackDeployer.DeployedHub;
import io.amifleet.infra.HubStackDeployer.DeployedTargetRole;
import io.amifleet.ledger.dynamodb.LedgerTable;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.Role;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * Deploys the templates with CloudFormation into the emulator and checks what they made. Each test
 * uses its own queue prefix, role names and stack names, so no emulator reset is needed.
 */
class HubStackDeployIT {
  private static final String TARGET_ACCOUNT = "111111111111";

  private final Emulator emulator = SharedEmulator.get();
  private final String prefix = "it-" + UUID.randomUUID().toString().substring(0, 8);
  private HubStackDeployer deployer;
  private SqsClient sqs;

  @BeforeEach
  void clients() {
    deployer = new HubStackDeployer(emulator.endpoint());
    sqs =
        SqsClient.builder()
            .endpointOverride(emulator.endpoint())
            .region(Region.of(HubStackDeployer.REGION))
            .credentialsProvider(EmulatedAws.hubCredentials())
            .httpClient(deployer.http())
            .build();
  }

  @AfterEach
  void close() {
    sqs.close();
    deployer.close();
  }

  @Test
  void hubStackCreatesTheThreeQueuesUnderThePrefix() {
    DeployedHub hub = deployer.deployHub(prefix, 3);

    assertThat(hub.deployedResources())
        .contains(
            "JobsQueue", "ResultsQueue", "DeadLetterQueue", "WorkerTaskRole", "DispatcherTaskRole");
    assertThat(hub.leftOutResources())
        .as("resource types moto cannot deploy, and what refers to them")
        .contains("JobsQueuePolicy", "ExternalIdSecret", "DispatcherSchedule");
    assertThat(sqs.getQueueUrl(b -> b.queueName(prefix + "-jobs")).queueUrl())
        .endsWith("/" + prefix + "-jobs");
    assertThat(arnOf(hub.jobsQueueUrl())).endsWith(":" + prefix + "-jobs");
    assertThat(arnOf(hub.resultsQueueUrl())).endsWith(":" + prefix + "-results");
    assertThat(arnOf(hub.deadLetterQueueUrl())).endsWith(":" + prefix + "-dlq");
    assertThat(arnOf(sqs.getQueueUrl(b -> b.queueName(prefix + "-dlq")).queueUrl()))
        .isEqualTo(arnOf(hub.deadLetterQueueUrl()));
  }

  @Test
  void jobsQueueRedrivesToTheDeadLetterQueueAfterMaxReceiveCount() throws Exception {
    DeployedHub hub = deployer.deployHub(prefix, 3);

    Map<QueueAttributeName, String> jobs = attributes(hub.jobsQueueUrl());
    JsonNode redrive = Templates.json().readTree(jobs.get(QueueAttributeName.REDRIVE_POLICY));
    assertThat(redrive.get("deadLetterTargetArn").asText())
        .isEqualTo(arnOf(hub.deadLetterQueueUrl()));
    assertThat(redrive.get("maxReceiveCount").asInt()).isEqualTo(3);
    assertThat(jobs.get(QueueAttributeName.VISIBILITY_TIMEOUT)).isEqualTo("300");
    assertThat(
            attributes(hub.deadLetterQueueUrl()).get(QueueAttributeName.MESSAGE_RETENTION_PERIOD))
        .isEqualTo("1209600");
  }

  @Test
  void everyQueueHasServerSideEncryption() {
    DeployedHub hub = deployer.deployHub(prefix, 5);

    for (String url :
        List.of(hub.jobsQueueUrl(), hub.resultsQueueUrl(), hub.deadLetterQueueUrl())) {
      assertThat(attributes(url).get(QueueAttributeName.SQS_MANAGED_SSE_ENABLED))
          .as(url)
          .isEqualTo("true");
    }
  }

  @Test
  void queueUrlsFromTheStackOutputsCarryMessages() {
    DeployedHub hub = deployer.deployHub(prefix, 5);

    sqs.sendMessage(b -> b.queueUrl(hub.jobsQueueUrl()).messageBody("{\"v\":1}"));
    List<Message> received =
        sqs.receiveMessage(b -> b.queueUrl(hub.jobsQueueUrl()).waitTimeSeconds(2)).messages();
    assertThat(received).extracting(Message::body).containsExactly("{\"v\":1}");
  }

  @Test
  void taskRolesExistWithTheirFixedNamesAndInlinePolicies() {
    // The policies' content is checked from the template (TemplateSecurityTest, IamDocumentsTest):
    // moto stores CloudFormation-made inline policies as Python reprs, not JSON.
    DeployedHub hub = deployer.deployHub(prefix, 5);

    try (IamClient iam = iam(EmulatedAws.hubCredentials())) {
      assertThat(iam.listRolePolicies(b -> b.roleName(hub.workerRoleName())).policyNames())
          .containsExactly("amifleet-worker");
      assertThat(iam.listRolePolicies(b -> b.roleName(hub.dispatcherRoleName())).policyNames())
          .containsExactly("amifleet-dispatcher");
    }
    assertThat(hub.outputs().get("WorkerRoleArn"))
        .isEqualTo("arn:aws:iam::123456789012:role/" + hub.workerRoleName());
    assertThat(hub.outputs().get("DispatcherRoleArn"))
        .isEqualTo("arn:aws:iam::123456789012:role/" + hub.dispatcherRoleName());
  }

  @Test
  void ledgerTableIsTheLayoutTheCollectorWrites() {
    DeployedHub hub = deployer.deployHub(prefix, 5);

    assertThat(hub.deployedResources())
        .contains("LedgerTable", "ReportBucket", "RunsTopic", "CollectorTaskRole");
    // The collector's task definition and service are left out with the other tasks': their
    // execution role reads the ExternalId secret, a type moto does not deploy.
    String table = hub.outputs().get("LedgerTableName");
    assertThat(table).isEqualTo(prefix + "-runs");
    try (DynamoDbClient dynamo =
        DynamoDbClient.builder()
            .endpointOverride(emulator.endpoint())
            .region(Region.of(HubStackDeployer.REGION))
            .credentialsProvider(EmulatedAws.hubCredentials())
            .httpClient(deployer.http())
            .build()) {
      var described = dynamo.describeTable(b -> b.tableName(table)).table();
      assertThat(described.keySchema())
          .extracting(k -> k.attributeName() + ":" + k.keyType())
          .containsExactly(LedgerTable.RUN_ID + ":HASH", LedgerTable.ITEM + ":RANGE");
      assertThat(described.globalSecondaryIndexes())
          .extracting(i -> i.indexName())
          .containsExactly(LedgerTable.BY_START);
      assertThat(described.billingModeSummary().billingModeAsString()).isEqualTo("PAY_PER_REQUEST");
      // The ledger's own table creation agrees with the stack's (already there: a no-op).
      LedgerTable.create(dynamo, table);
    }
    assertThat(hub.outputs().get("ReportBucketName")).isNotBlank();
    assertThat(hub.outputs().get("RunsTopicArn")).startsWith("arn:aws:sns:");
  }

  @Test
  void targetRoleLandsInTheTargetAccountAndRequiresTheExternalId() throws Exception {
    DeployedHub hub = deployer.deployHub(prefix, 5);
    String roleName = "AmiFleetCreator-" + prefix;

    DeployedTargetRole target =
        deployer.deployTargetRole(
            TARGET_ACCOUNT, roleName, hub.workerRoleName(), hub.dispatcherRoleName());

    assertThat(target.roleArn()).isEqualTo("arn:aws:iam::" + TARGET_ACCOUNT + ":role/" + roleName);
    try (StsAssumeRoleCredentialsProvider inTarget = deployer.inAccount(TARGET_ACCOUNT);
        IamClient iam = iam(inTarget)) {
      Role role = iam.getRole(b -> b.roleName(roleName)).role();
      JsonNode trust = Templates.json().readTree(decode(role.assumeRolePolicyDocument()));
      JsonNode statement = trust.get("Statement").get(0);
      assertThat(trust.get("Statement")).hasSize(1);
      assertThat(statement.at("/Condition/StringEquals").get("sts:ExternalId").asText())
          .isEqualTo(HubStackDeployer.EXTERNAL_ID);
      assertThat(statement.at("/Condition/ArnEquals").get("aws:PrincipalArn"))
          .extracting(JsonNode::asText)
          .containsExactly(
              "arn:aws:iam::123456789012:role/" + hub.workerRoleName(),
              "arn:aws:iam::123456789012:role/" + hub.dispatcherRoleName());
      assertThat(statement.at("/Principal/AWS").asText())
          .isEqualTo("arn:aws:iam::123456789012:root");
      assertThat(iam.listRolePolicies(b -> b.roleName(roleName)).policyNames())
          .containsExactly("amifleet-create-images");
    }
    try (IamClient hubIam = iam(EmulatedAws.hubCredentials())) {
      assertThat(catchThrowable(() -> hubIam.getRole(b -> b.roleName(roleName))))
          .as("the role exists only in the target account")
          .isInstanceOf(NoSuchEntityException.class);
    }
  }

  private Map<QueueAttributeName, String> attributes(String url) {
    return sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.ALL))
        .attributes();
  }

  private String arnOf(String url) {
    return attributes(url).get(QueueAttributeName.QUEUE_ARN);
  }

  private IamClient iam(AwsCredentialsProvider credentials) {
    return IamClient.builder()
        .endpointOverride(emulator.endpoint())
        .region(Region.AWS_GLOBAL)
        .credentialsProvider(credentials)
        .httpClient(deployer.http())
        .build();
  }

  /** IAM returns policy documents URL-encoded. */
  private static String decode(String document) {
    return document.trim().startsWith("{")
        ? document
        : URLDecoder.decode(document, StandardCharsets.UTF_8);
  }
}
