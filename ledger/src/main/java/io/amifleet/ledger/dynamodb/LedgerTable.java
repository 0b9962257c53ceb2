package io.amifleet.ledger.dynamodb;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The ledger table's layout: one table, partition key {@value #RUN_ID} and sort key {@value #ITEM}.
 * A run is the item {@code (runId, "RUN")}; each job it sent is {@code (runId, "SENT#jobId")}
 * (written by the dispatcher, identical on a re-dispatch) and each result kept {@code (runId,
 * "JOB#jobId")} (written by the collector). Keeping the two apart means a re-dispatch never
 * overwrites a result, and no write ever reads first. Orphan results are {@code ("~orphans",
 * messageId)}. The sparse index {@value #BY_START} (partition {@value #LISTING}, only on run items;
 * sort {@value #STARTED}) lists runs by start time without a scan. Every item has the TTL attribute
 * {@value #EXPIRES}.
 *
 * <p>The hub stack creates the table (infra/cloudformation/hub-stack.yaml); {@link #create} is for
 * the emulator and tests.
 */
public final class LedgerTable {
  public static final String RUN_ID = "runId";
  public static final String ITEM = "item";
  public static final String LISTING = "listing";
  public static final String STARTED = "startedAt";
  public static final String EXPIRES = "expiresAt";
  public static final String BY_START = "runsByStart";
  public static final String RUN_ITEM = "RUN";
  public static final String SENT_PREFIX = "SENT#";
  public static final String JOB_PREFIX = "JOB#";
  public static final String ORPHANS = "~orphans";

  private LedgerTable() {}

  /** Creates the table (on demand, with the index) unless it exists; waits until it is active. */
  public static void create(DynamoDbClient dynamo, String table) {
    try {
      dynamo.createTable(
          b ->
              b.tableName(table)
                  .billingMode(BillingMode.PAY_PER_REQUEST)
                  .attributeDefinitions(
                      attribute(RUN_ID), attribute(ITEM), attribute(LISTING), attribute(STARTED))
                  .keySchema(key(RUN_ID, KeyType.HASH), key(ITEM, KeyType.RANGE))
                  .globalSecondaryIndexes(
                      GlobalSecondaryIndex.builder()
                          .indexName(BY_START)
                          .keySchema(key(LISTING, KeyType.HASH), key(STARTED, KeyType.RANGE))
                          .projection(
                              Projection.builder().projectionType(ProjectionType.ALL).build())
                          .build()));
    } catch (ResourceInUseException e) {
      // Already there.
    }
    dynamo.waiter().waitUntilTableExists(b -> b.tableName(table));
  }

  private static AttributeDefinition attribute(String name) {
    return AttributeDefinition.builder()
        .attributeName(name)
        .attributeType(ScalarAttributeType.S)
        .build();
  }

  private static KeySchemaElement key(String name, KeyType type) {
    return KeySchemaElement.builder().attributeName(name).keyType(type).build();
  }
}
