/**
 * What listing every aggregate of a ledger costs: the sparse index (one small item per aggregate)
 * against a scan of the ledger (every event read, the first of each kept), in read capacity as
 * DynamoDB Local reports it, scaled to a million events.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { accountEvents, seedAccount } from "../examples/accounts/history";
import {
  AGGREGATE_BUCKETS,
  AGGREGATE_BUCKET_ATTRIBUTE,
  AGGREGATE_INDEX,
  LEDGER_PARTITION_KEY,
  LEDGER_SORT_KEY,
} from "../handlers/runtime/ledger/conventions";
import { DynamoDbEventStore } from "../handlers/runtime/aws/dynamoDbEventStore";
import { DynamoDbSnapshotStore } from "../handlers/runtime/aws/dynamoDbSnapshotStore";
import { SNAPSHOT_TABLE } from "../handlers/runtime/ledger/tableSchemas";
import { UNPOLLED_LEDGER_TABLE, createTable } from "../local/tables";

export async function enumerationCost(raw: DynamoDBClient, db: DynamoDBDocumentClient, out: (line?: string) => void): Promise<void> {
  const table = "bench-enumerate";
  await createTable(raw, table, UNPOLLED_LEDGER_TABLE);
  await createTable(raw, `${table}-snapshots`, SNAPSHOT_TABLE);
  const events = new DynamoDbEventStore(db, table);
  const snapshots = new DynamoDbSnapshotStore(db, `${table}-snapshots`);
  const aggregates = 500;
  const perAggregate = 20;
  for (let i = 0; i < aggregates; i += 1) await seedAccount(events, snapshots, accountEvents(`e-${i}`, 1, perAggregate));

  let indexRcu = 0;
  let indexItems = 0;
  for (let bucket = 0; bucket < AGGREGATE_BUCKETS; bucket += 1) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: AGGREGATE_INDEX,
          KeyConditionExpression: "#b = :b",
          ExpressionAttributeNames: { "#b": AGGREGATE_BUCKET_ATTRIBUTE },
          ExpressionAttributeValues: { ":b": bucket },
          ExclusiveStartKey: startKey,
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      indexRcu += page.ConsumedCapacity?.CapacityUnits ?? 0;
      indexItems += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  let scanRcu = 0;
  let scanned = 0;
  let found = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: "#id",
        FilterExpression: "#v = :one",
        ExpressionAttributeNames: { "#id": LEDGER_PARTITION_KEY, "#v": LEDGER_SORT_KEY },
        ExpressionAttributeValues: { ":one": 1 },
        ExclusiveStartKey: startKey,
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    scanRcu += page.ConsumedCapacity?.CapacityUnits ?? 0;
    scanned += page.ScannedCount ?? 0;
    found += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const total = aggregates * perAggregate;
  const perMillion = (rcu: number) => ((rcu / total) * 1_000_000).toFixed(0);
  out(
    `### Listing every aggregate: sparse index vs ledger scan (${aggregates} aggregates × ${perAggregate} events, eventually consistent reads)`,
  );
  out();
  out(`| way | items read (floor ${aggregates}: one per aggregate) | aggregates found | read units | read units per million events |`);
  out("|---|---:|---:|---:|---:|");
  out(`| sparse index (first events only, keys) | ${indexItems} | ${indexItems} | ${indexRcu.toFixed(1)} | ${perMillion(indexRcu)} |`);
  out(`| scan of the ledger, filtered to version 1 | ${scanned} | ${found} | ${scanRcu.toFixed(1)} | ${perMillion(scanRcu)} |`);
  out();
  out(
    `The index's cost follows the number of aggregates, the scan's the number (and size) of events: here ${(scanRcu / Math.max(indexRcu, 0.1)).toFixed(0)}× less with the index; the index costs one more write unit per aggregate, once, when its first event is written.`,
  );
}
