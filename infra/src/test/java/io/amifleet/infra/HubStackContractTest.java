package io.amifleet.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.amifleet.common.message.Identifiers;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the hub stack promises the amifleet binary and its operators, which cfn-lint cannot see: the
 * container commands, the stop timeout against the worker's shutdown timeout, the Embedded Metric
 * Format names the dashboard and alarms read, and metric-math expressions that name only defined
 * metrics.
 */
class HubStackContractTest {
  private static final JsonNode HUB = Templates.load(Templates.HUB_STACK);

  /** The EMF metrics the worker and dispatcher emit (namespace AmiFleet) and their dimensions. */
  private static final Map<String, Set<String>> EMF_METRICS =
      Map.of(
          "Jobs", Set.of("Status"),
          "TimeToAvailable", Set.of(),
          "ThrottledCalls", Set.of(),
          "DlqMoves", Set.of(),
          "JobsDispatched", Set.of());

  private static final Set<String> JOB_STATUSES = Set.of("SUCCEEDED", "FAILED", "TIMED_OUT");

  /** The worker's default --shutdown-timeout, in seconds. */
  private static final int WORKER_SHUTDOWN_TIMEOUT = 30;

  @Test
  void workerRunsTheWorkerCommandWithThePrefixAndConcurrency() {
    JsonNode container = container("WorkerTaskDefinition");
    assertThat(container.get("Command").toString())
        .isEqualTo(
            "[\"worker\",\"--queue-prefix\",{\"Ref\":\"QueuePrefix\"},"
                + "\"--concurrency\",{\"Ref\":\"WorkerConcurrency\"}]");
    assertThat(container.get("StopTimeout").asInt())
        .as("ECS must wait for the worker's graceful shutdown before SIGKILL")
        .isGreaterThan(WORKER_SHUTDOWN_TIMEOUT)
        .isEqualTo(60);
  }

  @Test
  void dispatcherReadsTargetsFromS3AndUsesThePrefix() {
    assertThat(container("DispatcherTaskDefinition").get("Command").toString())
        .isEqualTo(
            "[\"dispatch\",\"--targets\",{\"Fn::Sub\":\"s3://${TargetsBucket}/${TargetsKey}\"},"
                + "\"--queue-prefix\",{\"Ref\":\"QueuePrefix\"},"
                + "\"--ledger-table\",{\"Ref\":\"LedgerTable\"},"
                + "\"--run-deadline\",{\"Ref\":\"RunDeadline\"}]");
    assertThat(
            HUB.at(
                    "/Resources/DispatcherSchedule/Properties/Target/EcsParameters/TaskDefinitionArn/Ref")
                .asText())
        .isEqualTo("DispatcherTaskDefinition");
  }

  @Test
  void collectorConsumesResultsIntoTheLedgerAndReportsToTheBucketAndTopic() {
    assertThat(container("CollectorTaskDefinition").get("Command").toString())
        .isEqualTo(
            "[\"collect\",\"--queue-prefix\",{\"Ref\":\"QueuePrefix\"},"
                + "\"--ledger-table\",{\"Ref\":\"LedgerTable\"},"
                + "\"--report-bucket\",{\"Ref\":\"ReportBucket\"},"
                + "\"--topic-arn\",{\"Ref\":\"RunsTopic\"},"
                + "\"--notify\",{\"Ref\":\"RunNotify\"}]");
    assertThat(HUB.at("/Resources/CollectorService/Properties/DesiredCount").asInt()).isEqualTo(1);
    assertThat(HUB.at("/Resources/LedgerTable/Properties/BillingMode").asText())
        .isEqualTo("PAY_PER_REQUEST");
    assertThat(
            HUB.at("/Resources/LedgerTable/Properties/TimeToLiveSpecification/AttributeName")
                .asText())
        .isEqualTo(io.amifleet.ledger.dynamodb.LedgerTable.EXPIRES);
  }

  @Test
  void theScheduleGivesEachNightItsScheduledTimeAsRunId() throws Exception {
    // Scheduler delivers at least once; the same run ID makes the same job IDs, which the workers
    // adopt, so a second delivery cannot make a second set of images.
    JsonNode input =
        Templates.json()
            .readTree(HUB.at("/Resources/DispatcherSchedule/Properties/Target/Input").asText());
    JsonNode override = input.at("/containerOverrides/0");
    assertThat(override.get("name").asText())
        .isEqualTo(container("DispatcherTaskDefinition").get("Name").asText());
    JsonNode variable = override.at("/environment/0");
    assertThat(variable.get("name").asText()).isEqualTo("AMIFLEET_RUN_ID");
    String runId =
        variable
            .get("value")
            .asText()
            .replace("<aws.scheduler.scheduled-time>", "2026-11-28T02:00:00Z");
    assertThat(runId)
        .as("the value, once Scheduler fills in the time, is a run ID dispatch accepts")
        .isNotEqualTo(variable.get("value").asText())
        .matches(Identifiers.PLAIN_ID);
  }

  @Test
  void dashboardIsValidJsonAndReadsOnlyMetricsAmiFleetEmits() throws Exception {
    Intrinsics placeholders = new Intrinsics(name -> "<" + name + ">", Map.of());
    String body =
        placeholders.substitute(
            HUB.at("/Resources/Dashboard/Properties/DashboardBody/Fn::Sub").asText());
    JsonNode dashboard = Templates.json().readTree(body);

    List<JsonNode> amiFleetMetrics = new ArrayList<>();
    for (JsonNode widget : dashboard.get("widgets")) {
      for (JsonNode metric : widget.at("/properties/metrics")) {
        if (metric.get(0).asText().equals("AmiFleet")) {
          amiFleetMetrics.add(metric);
        }
      }
    }
    assertThat(amiFleetMetrics).hasSizeGreaterThanOrEqualTo(EMF_METRICS.size());
    Set<String> shown = new TreeSet<>();
    for (JsonNode metric : amiFleetMetrics) {
      String name = metric.get(1).asText();
      Map<String, String> dimensions = new LinkedHashMap<>();
      for (int i = 2; i + 1 < metric.size() && metric.get(i).isTextual(); i += 2) {
        dimensions.put(metric.get(i).asText(), metric.get(i + 1).asText());
      }
      assertThat(EMF_METRICS).as(metric.toString()).containsKey(name);
      assertThat(dimensions.keySet()).as(metric.toString()).isEqualTo(EMF_METRICS.get(name));
      if (dimensions.containsKey("Status")) {
        assertThat(JOB_STATUSES).contains(dimensions.get("Status"));
      }
      shown.add(name);
    }
    assertThat(shown).as("every EMF metric is on the dashboard").isEqualTo(EMF_METRICS.keySet());
  }

  @Test
  void alarmsOnAmiFleetMetricsUseTheEmittedNames() {
    List<JsonNode> stats = HUB.findValues("MetricStat");
    List<JsonNode> amiFleet =
        stats.stream().filter(s -> s.at("/Metric/Namespace").asText().equals("AmiFleet")).toList();
    assertThat(amiFleet).isNotEmpty();
    for (JsonNode stat : amiFleet) {
      JsonNode metric = stat.get("Metric");
      assertThat(metric.get("MetricName").asText()).isEqualTo("Jobs");
      assertThat(metric.at("/Dimensions/0/Name").asText()).isEqualTo("Status");
      assertThat(JOB_STATUSES).contains(metric.at("/Dimensions/0/Value").asText());
    }
  }

  @Test
  void metricMathExpressionsNameOnlyDefinedMetrics() {
    Pattern identifier = Pattern.compile("\\b([a-z][a-zA-Z0-9_]*)\\b");
    Set<String> functions = Set.of("IF", "FILL", "AND", "OR");
    int expressions = 0;
    for (JsonNode metrics : HUB.findValues("Metrics")) {
      if (!metrics.isArray()) {
        continue;
      }
      Set<String> ids = new HashSet<>();
      metrics.forEach(m -> ids.add(m.path("Id").asText()));
      int returned = 0;
      for (JsonNode m : metrics) {
        if (m.path("ReturnData").asBoolean(false)) {
          returned++;
        }
        if (!m.has("Expression")) {
          continue;
        }
        expressions++;
        Matcher names = identifier.matcher(m.get("Expression").asText());
        while (names.find()) {
          if (!functions.contains(names.group(1).toUpperCase(Locale.ROOT))) {
            assertThat(ids).as(m.toString()).contains(names.group(1));
          }
        }
      }
      assertThat(returned).as("exactly one returned series in " + metrics).isOne();
    }
    assertThat(expressions).isGreaterThanOrEqualTo(3);
  }

  @Test
  void workerScalingCanReachZeroAndBackFromIt() {
    JsonNode target = HUB.at("/Resources/WorkerScalableTarget/Properties");
    assertThat(target.at("/MinCapacity/Ref").asText()).isEqualTo("WorkerMinTasks");
    assertThat(HUB.at("/Parameters/WorkerMinTasks/Default").asInt()).isZero();
    JsonNode alarm = HUB.at("/Resources/WorkerScaleFromZeroAlarm/Properties");
    assertThat(alarm.at("/AlarmActions/0/Ref").asText()).isEqualTo("WorkerScaleFromZeroPolicy");
    assertThat(
            HUB.at(
                    "/Resources/WorkerScaleFromZeroPolicy/Properties/StepScalingPolicyConfiguration"
                        + "/StepAdjustments/0/ScalingAdjustment")
                .asInt())
        .isPositive();
  }

  private static JsonNode container(String taskDefinition) {
    return HUB.at("/Resources/" + taskDefinition + "/Properties/ContainerDefinitions/0");
  }
}
