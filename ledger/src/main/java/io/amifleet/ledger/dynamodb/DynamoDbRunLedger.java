package io.amifleet.ledger.dynamodb;

import static io.amifleet.ledger.dynamodb.LedgerTable.BY_START;
import static io.amifleet.ledger.dynamodb.LedgerTable.EXPIRES;
import static io.amifleet.ledger.dynamodb.LedgerTable.ITEM;
import static io.amifleet.ledger.dynamodb.LedgerTable.JOB_PREFIX;
import static io.amifleet.ledger.dynamodb.LedgerTable.LISTING;
import static io.amifleet.ledger.dynamodb.LedgerTable.ORPHANS;
import static io.amifleet.ledger.dynamodb.LedgerTable.RUN_ID;
import static io.amifleet.ledger.dynamodb.LedgerTable.RUN_ITEM;
import static io.amifleet.ledger.dynamodb.LedgerTable.SENT_PREFIX;
import static io.amifleet.ledger.dynamodb.LedgerTable.STARTED;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.amifleet.common.error.AmiFleetException;
import io.amifleet.common.error.AwsErrors;
import io.amifleet.common.error.ErrorKind;
import io.amifleet.common.message.JobStatus;
import io.amifleet.common.message.MessageCodec;
import io.amifleet.common.message.ResultMessage;
import io.amifleet.ledger.LedgerSettings;
import io.amifleet.ledger.RunLedger;
import io.amifleet.ledger.model.Completion;
import io.amifleet.ledger.model.JobEntry;
import io.amifleet.ledger.model.Orphan;
import io.amifleet.ledger.model.RunRecord;
import io.amifleet.ledger.model.RunView;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The run ledger in one DynamoDB table ({@link LedgerTable} describes the items). Every rule of
 * {@link RunLedger} holds by a conditional write, never by reading first, so two collectors and
 * redeliveries cannot race:
 *
 * <ul>
 *   <li>a result is a PutItem of its job item with a condition that it supersedes the one there (a
 *       success over a failure, else a later finish): a redelivery fails the condition and changes
 *       nothing;
 *   <li>completion is an UpdateItem of the run item on {@code attribute_not_exists(completedAt)}:
 *       exactly one caller wins, and only the winner notifies;
 *   <li>counts are never stored as counters: they are computed from the job items when the run is
 *       read (one paged Query of the run's partition), so there is nothing to keep in step.
 * </ul>
 *
 * <p>Uses the caller's client (owned by the injector). Thread-safe.
 */
public final class DynamoDbRunLedger implements RunLedger {
  /**
   * BatchWriteItem takes at most 25 items per call
   * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html).
   */
  static final int BATCH = 25;

  /**
   * Kept of an orphan's body: an item holds at most 400 KB
   * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html), an SQS
   * message up to 1 MiB.
   */
  static final int ORPHAN_BODY_CHARS = 64 * 1024;

  /** Fixed width, so that the index sorts start times as strings in time order. */
  private static final DateTimeFormatter SORTABLE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final DynamoDbClient dynamo;
  private final String table;
  private final LedgerSettings settings;
  private final MessageCodec codec;
  private final ObjectMapper mapper;
  private final Clock clock;
  private final Set<String> knownRuns = ConcurrentHashMap.newKeySet();

  public DynamoDbRunLedger(
      DynamoDbClient dynamo,
      LedgerSettings settings,
      MessageCodec codec,
      ObjectMapper mapper,
      Clock clock) {
    this.dynamo = requireNonNull(dynamo, "dynamo is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.table =
        settings.table().orElseThrow(() -> new IllegalArgumentException("no ledger table"));
    this.codec = requireNonNull(codec, "codec is null");
    this.mapper = requireNonNull(mapper, "mapper is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public String describe() {
    return "DynamoDB table " + table;
  }

  @Override
  public void opened(RunOpening run) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put(RUN_ID, s(run.runId()));
    item.put(ITEM, s(RUN_ITEM));
    item.put(LISTING, s("run"));
    item.put(STARTED, s(SORTABLE.format(run.startedAt())));
    item.put("source", s(run.source()));
    item.put("deadline", s(run.startedAt().plus(settings.deadline()).toString()));
    item.put(EXPIRES, expires(run.startedAt()));
    try {
      call(
          "PutItem run " + run.runId(),
          () ->
              dynamo.putItem(
                  b ->
                      b.tableName(table)
                          .item(item)
                          .conditionExpression("attribute_not_exists(#k)")
                          .expressionAttributeNames(Map.of("#k", RUN_ID))));
    } catch (ConditionalCheckFailedException e) {
      // Dispatched again: the run keeps its first start.
    }
    knownRuns.add(run.runId());
  }

  @Override
  public void dispatched(String runId, List<DispatchedJob> jobs) {
    Instant now = clock.instant();
    List<WriteRequest> writes = new ArrayList<>();
    for (DispatchedJob j : jobs) {
      Map<String, AttributeValue> item = new HashMap<>();
      item.put(RUN_ID, s(runId));
      item.put(ITEM, s(SENT_PREFIX + j.jobId()));
      item.put("accountId", s(j.accountId()));
      item.put("region", s(j.region()));
      if (j.instanceId() != null) {
        item.put("instanceId", s(j.instanceId()));
      }
      item.put("kind", s(j.kind()));
      item.put(EXPIRES, expires(now));
      writes.add(
          WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
    }
    for (int i = 0; i < writes.size(); i += BATCH) {
      writeAll(writes.subList(i, Math.min(writes.size(), i + BATCH)));
    }
    // The counts per account+region of everything sent so far (a re-dispatch adds to the first).
    Map<String, Integer> counts = new TreeMap<>();
    for (Map<String, AttributeValue> item : partition(runId)) {
      if (item.get(ITEM).s().startsWith(SENT_PREFIX)) {
        counts.merge(item.get("accountId").s() + "/" + item.get("region").s(), 1, Integer::sum);
      }
    }
    call(
        "UpdateItem run " + runId,
        () ->
            dynamo.updateItem(
                b ->
                    b.tableName(table)
                        .key(runKey(runId))
                        .updateExpression("SET #d = :at, #c = :counts")
                        .expressionAttributeNames(Map.of("#d", "dispatchedAt", "#c", "jobCounts"))
                        .expressionAttributeValues(
                            Map.of(":at", s(now.toString()), ":counts", s(json(counts))))));
  }

  /**
   * Writes one batch, again for what DynamoDB left unprocessed (throttled), with the SDK's backoff
   * between attempts.
   */
  private void writeAll(List<WriteRequest> batch) {
    Map<String, List<WriteRequest>> left = Map.of(table, batch);
    for (int attempt = 0; !left.isEmpty() && !left.get(table).isEmpty(); attempt++) {
      if (attempt == 10) {
        throw new AmiFleetException(
            ErrorKind.RETRYABLE,
            "LedgerThrottled",
            "ledger " + table + ": " + left.get(table).size() + " item(s) not written");
      }
      Map<String, List<WriteRequest>> request = left;
      BatchWriteItemResponse response =
          call("BatchWriteItem", () -> dynamo.batchWriteItem(b -> b.requestItems(request)));
      left = response.unprocessedItems();
      if (!left.isEmpty()) {
        sleep(Math.min(2_000, 50L << attempt));
      }
    }
  }

  @Override
  public Recorded record(ResultMessage result) {
    if (!knows(result.runId())) {
      return Recorded.UNKNOWN_RUN;
    }
    Map<String, AttributeValue> item = new HashMap<>();
    item.put(RUN_ID, s(result.runId()));
    item.put(ITEM, s(JOB_PREFIX + result.jobId()));
    item.put("status", s(result.status().name()));
    item.put("finishedMs", finishedMs(result));
    item.put("result", s(codec.encode(result)));
    item.put(EXPIRES, expires(clock.instant()));
    // The condition is ResultMessage.supersedes, written for DynamoDB: with it, this write
    // replaces the job's result only when this one is better, atomically.
    String condition =
        result.succeeded()
            ? "attribute_not_exists(#s) OR #s <> :ok OR #f < :f"
            : "attribute_not_exists(#s) OR (#s <> :ok AND #f < :f)";
    try {
      PutItemResponse response =
          call(
              "PutItem result " + result.jobId(),
              () ->
                  dynamo.putItem(
                      b ->
                          b.tableName(table)
                              .item(item)
                              .conditionExpression(condition)
                              .expressionAttributeNames(Map.of("#s", "status", "#f", "finishedMs"))
                              .expressionAttributeValues(
                                  Map.of(
                                      ":ok",
                                      s(JobStatus.SUCCEEDED.name()),
                                      ":f",
                                      finishedMs(result)))
                              .returnValues(ReturnValue.ALL_OLD)));
      return response.hasAttributes() && !response.attributes().isEmpty()
          ? Recorded.REPLACED
          : Recorded.NEW;
    } catch (ConditionalCheckFailedException e) {
      return Recorded.UNCHANGED;
    }
  }

  private boolean knows(String runId) {
    if (knownRuns.contains(runId)) {
      return true;
    }
    var response =
        call(
            "GetItem run " + runId,
            () -> dynamo.getItem(b -> b.tableName(table).key(runKey(runId)).consistentRead(true)));
    if (response.hasItem() && !response.item().isEmpty()) {
      knownRuns.add(runId);
      return true;
    }
    return false;
  }

  @Override
  public void orphan(Orphan orphan) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put(RUN_ID, s(ORPHANS));
    item.put(ITEM, s(orphan.messageId()));
    item.put("receivedAt", s(orphan.receivedAt().toString()));
    item.put("reason", s(orphan.reason()));
    if (orphan.runId() != null) {
      item.put("orphanRunId", s(orphan.runId()));
    }
    String body = orphan.body();
    item.put(
        "body", s(body.length() > ORPHAN_BODY_CHARS ? body.substring(0, ORPHAN_BODY_CHARS) : body));
    item.put(EXPIRES, expires(orphan.receivedAt()));
    try {
      call(
          "PutItem orphan",
          () ->
              dynamo.putItem(
                  b ->
                      b.tableName(table)
                          .item(item)
                          .conditionExpression("attribute_not_exists(#i)")
                          .expressionAttributeNames(Map.of("#i", ITEM))));
    } catch (ConditionalCheckFailedException e) {
      // Redelivered: kept once.
    }
  }

  @Override
  public Optional<RunView> run(String runId) {
    List<Map<String, AttributeValue>> items = partition(runId);
    Map<String, AttributeValue> run = null;
    Map<String, JobEntry> jobs = new LinkedHashMap<>();
    Map<String, ResultMessage> results = new HashMap<>();
    for (Map<String, AttributeValue> item : items) {
      String key = item.get(ITEM).s();
      if (key.equals(RUN_ITEM)) {
        run = item;
      } else if (key.startsWith(SENT_PREFIX)) {
        String jobId = key.substring(SENT_PREFIX.length());
        jobs.put(
            jobId,
            new JobEntry(
                jobId,
                item.get("accountId").s(),
                item.get("region").s(),
                item.containsKey("instanceId") ? item.get("instanceId").s() : null,
                item.get("kind").s(),
                true,
                null));
      } else if (key.startsWith(JOB_PREFIX)) {
        ResultMessage r = codec.decodeResult(item.get("result").s());
        results.put(r.jobId(), r);
      }
    }
    if (run == null) {
      return Optional.empty();
    }
    List<JobEntry> entries = new ArrayList<>();
    for (JobEntry sent : jobs.values()) {
      ResultMessage r = results.remove(sent.jobId());
      entries.add(
          r == null
              ? sent
              : new JobEntry(
                  sent.jobId(),
                  sent.accountId(),
                  sent.region(),
                  sent.instanceId(),
                  sent.kind(),
                  true,
                  r));
    }
    // Results of jobs not recorded as sent (a dispatch whose recording failed) still count.
    results.values().forEach(r -> entries.add(JobEntry.of(r, false)));
    return Optional.of(new RunView(runRecord(run), entries));
  }

  @Override
  public List<RunRecord> runs(Instant since) {
    List<RunRecord> runs = new ArrayList<>();
    call(
        "Query " + BY_START,
        () -> {
          dynamo
              .queryPaginator(
                  b ->
                      b.tableName(table)
                          .indexName(BY_START)
                          .keyConditionExpression("#l = :run AND #st >= :since")
                          .expressionAttributeNames(Map.of("#l", LISTING, "#st", STARTED))
                          .expressionAttributeValues(
                              Map.of(":run", s("run"), ":since", s(SORTABLE.format(since))))
                          .scanIndexForward(false))
              .items()
              .forEach(item -> runs.add(runRecord(item)));
          return null;
        });
    return runs;
  }

  @Override
  public boolean complete(String runId, Completion completion) {
    try {
      call(
          "UpdateItem complete " + runId,
          () ->
              dynamo.updateItem(
                  b ->
                      b.tableName(table)
                          .key(runKey(runId))
                          .updateExpression("SET #at = :at, #c = :c")
                          .conditionExpression("attribute_exists(#k) AND attribute_not_exists(#at)")
                          .expressionAttributeNames(
                              Map.of("#k", RUN_ID, "#at", "completedAt", "#c", "completion"))
                          .expressionAttributeValues(
                              Map.of(
                                  ":at",
                                  s(completion.completedAt().toString()),
                                  ":c",
                                  s(json(completion))))));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  @Override
  public List<Orphan> orphans(Instant since) {
    List<Orphan> orphans = new ArrayList<>();
    for (Map<String, AttributeValue> item : partition(ORPHANS)) {
      Instant at = Instant.parse(item.get("receivedAt").s());
      if (!at.isBefore(since)) {
        orphans.add(
            new Orphan(
                item.get(ITEM).s(),
                at,
                item.get("reason").s(),
                item.containsKey("orphanRunId") ? item.get("orphanRunId").s() : null,
                item.get("body").s()));
      }
    }
    orphans.sort(Comparator.comparing(Orphan::receivedAt).reversed());
    return orphans;
  }

  /** Every item of a partition, read consistently. */
  private List<Map<String, AttributeValue>> partition(String key) {
    List<Map<String, AttributeValue>> items = new ArrayList<>();
    call(
        "Query " + key,
        () -> {
          dynamo
              .queryPaginator(
                  b ->
                      b.tableName(table)
                          .consistentRead(true)
                          .keyConditionExpression("#k = :k")
                          .expressionAttributeNames(Map.of("#k", RUN_ID))
                          .expressionAttributeValues(Map.of(":k", s(key))))
              .items()
              .forEach(items::add);
          return null;
        });
    return items;
  }

  private RunRecord runRecord(Map<String, AttributeValue> item) {
    Map<String, Integer> counts =
        item.containsKey("jobCounts")
            ? read(item.get("jobCounts").s(), new TypeReference<Map<String, Integer>>() {})
            : Map.of();
    return new RunRecord(
        item.get(RUN_ID).s(),
        item.get("source").s(),
        Instant.parse(item.get(STARTED).s()),
        Instant.parse(item.get("deadline").s()),
        item.containsKey("dispatchedAt") ? Instant.parse(item.get("dispatchedAt").s()) : null,
        counts,
        item.containsKey("completion")
            ? read(item.get("completion").s(), new TypeReference<Completion>() {})
            : null);
  }

  private AttributeValue expires(Instant from) {
    return AttributeValue.fromN(
        Long.toString(
            from.plus(settings.retention()).truncatedTo(ChronoUnit.SECONDS).getEpochSecond()));
  }

  private static AttributeValue finishedMs(ResultMessage r) {
    return AttributeValue.fromN(
        Long.toString(r.finishedAt() == null ? 0 : r.finishedAt().toEpochMilli()));
  }

  private static Map<String, AttributeValue> runKey(String runId) {
    return Map.of(RUN_ID, s(runId), ITEM, s(RUN_ITEM));
  }

  private static AttributeValue s(String value) {
    return AttributeValue.fromS(value);
  }

  private String json(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  private <T> T read(String json, TypeReference<T> type) {
    try {
      return mapper.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new AmiFleetException(
          ErrorKind.PERMANENT, "LedgerCorrupt", "ledger " + table + ": unreadable item: " + e);
    }
  }

  /** Runs a call; a missing table and SDK errors become amifleet's own, naming the table. */
  private <T> T call(String what, java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (ConditionalCheckFailedException e) {
      throw e;
    } catch (ResourceNotFoundException e) {
      throw new AmiFleetException(
          ErrorKind.PERMANENT,
          "LedgerTableNotFound",
          "run ledger: no DynamoDB table " + table + " (create it with the hub stack)");
    } catch (SdkException e) {
      throw AwsErrors.translate(e, what + " in ledger " + table);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AmiFleetException(ErrorKind.RETRYABLE, "Interrupted", "interrupted");
    }
  }
}
