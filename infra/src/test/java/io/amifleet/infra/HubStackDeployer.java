package io.amifleet.infra;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.amifleet.emulator.EmulatedAws;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Capability;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackStatus;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * Deploys the infra templates into the emulator with CloudFormation, as an operator would: the hub
 * stack into the hub account (123456789012) and the target role into another account, reached by
 * AssumeRole. The hub stack goes in as its {@link EmulatorTemplate emulator-deployable subset}; the
 * target role template goes in unchanged. Owns its clients (close it); not thread-safe.
 *
 * <p>Later pipeline tests use {@link #deployHub} to get queues made by the real template.
 */
final class HubStackDeployer implements AutoCloseable {
  static final String REGION = "us-east-1";
  static final String EXTERNAL_ID = "amifleet-it-external-id";

  /** What a deployed hub stack made; the queue URLs are the stack's outputs. */
  record DeployedHub(
      String stackName,
      String queuePrefix,
      String workerRoleName,
      String dispatcherRoleName,
      String jobsQueueUrl,
      String resultsQueueUrl,
      String deadLetterQueueUrl,
      Map<String, String> outputs,
      Set<String> deployedResources,
      Set<String> leftOutResources) {}

  /** A deployed target-account role stack. */
  record DeployedTargetRole(String accountId, String stackName, String roleName, String roleArn) {}

  private final URI endpoint;
  private final SdkHttpClient http = Apache5HttpClient.builder().build();
  private final StsClient sts;
  private final CloudFormationClient hubCloudFormation;
  private final Ec2Client hubEc2;

  HubStackDeployer(URI endpoint) {
    this.endpoint = requireNonNull(endpoint, "endpoint is null");
    this.sts =
        StsClient.builder()
            .endpointOverride(endpoint)
            .region(Region.of(REGION))
            .credentialsProvider(EmulatedAws.hubCredentials())
            .httpClient(http)
            .build();
    this.hubCloudFormation = cloudFormation(EmulatedAws.hubCredentials());
    this.hubEc2 =
        Ec2Client.builder()
            .endpointOverride(endpoint)
            .region(Region.of(REGION))
            .credentialsProvider(EmulatedAws.hubCredentials())
            .httpClient(http)
            .build();
  }

  /**
   * Deploys hub-stack.yaml (its emulator subset) into a fresh VPC with the given queue prefix and
   * maxReceiveCount. Role names are derived from the prefix so that several hubs can live in one
   * emulator account.
   */
  DeployedHub deployHub(String queuePrefix, int maxReceiveCount) {
    String vpcId = hubEc2.createVpc(b -> b.cidrBlock("10.42.0.0/16")).vpc().vpcId();
    String subnetId =
        hubEc2.createSubnet(b -> b.vpcId(vpcId).cidrBlock("10.42.1.0/24")).subnet().subnetId();
    EmulatorTemplate.Subset subset = EmulatorTemplate.of(Templates.load(Templates.HUB_STACK));
    String workerRole = queuePrefix + "-worker";
    String dispatcherRole = queuePrefix + "-dispatcher";
    String stackName = queuePrefix + "-hub";
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("QueuePrefix", queuePrefix);
    parameters.put("MaxReceiveCount", Integer.toString(maxReceiveCount));
    parameters.put("ImageUri", "amifleet:it");
    parameters.put("VpcId", vpcId);
    parameters.put("SubnetIds", subnetId);
    parameters.put("ExternalId", EXTERNAL_ID);
    parameters.put("TargetsBucket", "amifleet-it-targets");
    parameters.put("WorkerRoleName", workerRole);
    parameters.put("DispatcherRoleName", dispatcherRole);
    Stack stack = create(hubCloudFormation, stackName, json(subset), parameters);
    Map<String, String> outputs = outputs(stack);
    return new DeployedHub(
        stackName,
        queuePrefix,
        workerRole,
        dispatcherRole,
        outputs.get("JobsQueueUrl"),
        outputs.get("ResultsQueueUrl"),
        outputs.get("DeadLetterQueueUrl"),
        outputs,
        subset.kept(),
        subset.leftOut());
  }

  /**
   * Deploys target-role.yaml, unchanged, into {@code accountId} (through AssumeRole, as a
   * StackSet's execution role would), trusting the given hub roles.
   */
  DeployedTargetRole deployTargetRole(
      String accountId, String roleName, String hubWorkerRole, String hubDispatcherRole) {
    String stackName = roleName + "-target";
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("RoleName", roleName);
    parameters.put("HubAccountId", EmulatedAws.HUB_ACCOUNT);
    parameters.put("ExternalId", EXTERNAL_ID);
    parameters.put("HubWorkerRoleName", hubWorkerRole);
    parameters.put("HubDispatcherRoleName", hubDispatcherRole);
    String body;
    try {
      body =
          Files.readString(
              Templates.templateDir().resolve(Templates.TARGET_ROLE), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (StsAssumeRoleCredentialsProvider credentials = inAccount(accountId);
        CloudFormationClient cloudFormation = cloudFormation(credentials)) {
      Stack stack = create(cloudFormation, stackName, body, parameters);
      return new DeployedTargetRole(accountId, stackName, roleName, outputs(stack).get("RoleArn"));
    }
  }

  /**
   * Credentials acting in {@code accountId}; the emulator routes an assumed role to its account.
   */
  StsAssumeRoleCredentialsProvider inAccount(String accountId) {
    return StsAssumeRoleCredentialsProvider.builder()
        .stsClient(sts)
        .refreshRequest(
            r ->
                r.roleArn("arn:aws:iam::" + accountId + ":role/OrganizationAccountAccessRole")
                    .roleSessionName("amifleet-infra-it"))
        .build();
  }

  URI endpoint() {
    return endpoint;
  }

  SdkHttpClient http() {
    return http;
  }

  private CloudFormationClient cloudFormation(AwsCredentialsProvider credentials) {
    return CloudFormationClient.builder()
        .endpointOverride(endpoint)
        .region(Region.of(REGION))
        .credentialsProvider(credentials)
        .httpClient(http)
        .build();
  }

  private static Stack create(
      CloudFormationClient cloudFormation,
      String stackName,
      String body,
      Map<String, String> parameters) {
    cloudFormation.createStack(
        b ->
            b.stackName(stackName)
                .templateBody(body)
                .capabilities(Capability.CAPABILITY_NAMED_IAM)
                .parameters(
                    parameters.entrySet().stream()
                        .map(
                            e ->
                                Parameter.builder()
                                    .parameterKey(e.getKey())
                                    .parameterValue(e.getValue())
                                    .build())
                        .toList()));
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (true) {
      Stack stack = cloudFormation.describeStacks(b -> b.stackName(stackName)).stacks().get(0);
      if (!stack.stackStatusAsString().endsWith("_IN_PROGRESS")) {
        if (stack.stackStatus() != StackStatus.CREATE_COMPLETE) {
          throw new IllegalStateException(
              stackName + " is " + stack.stackStatusAsString() + ": " + stack.stackStatusReason());
        }
        return stack;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException(stackName + " still " + stack.stackStatusAsString());
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + stackName, e);
      }
    }
  }

  private static Map<String, String> outputs(Stack stack) {
    Map<String, String> outputs = new LinkedHashMap<>();
    stack.outputs().forEach(o -> outputs.put(o.outputKey(), o.outputValue()));
    return outputs;
  }

  private static String json(EmulatorTemplate.Subset subset) {
    try {
      return Templates.json().writeValueAsString(subset.template());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    hubEc2.close();
    hubCloudFormation.close();
    sts.close();
    http.close();
  }
}
