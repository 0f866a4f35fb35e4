import { retry } from "../support/retry";
import { SNAPSHOT_PARTITION_KEY, SNAPSHOT_SORT_KEY } from "../ledger/conventions";
import { Snapshot, SnapshotStore } from "../ledger/stores";
import { isConditionFailure } from "./documentClient";
import { DynamoDbClientInput, batchGetItems, getItem, putItem, queryItems } from "./items";
import { unlessUnavailable } from "./transient";

/** Snapshots on a DynamoDB table: partition = aggregate id, sort = version, so history is kept. */
export class DynamoDbSnapshotStore implements SnapshotStore {
  constructor(
    private readonly db: DynamoDbClientInput,
    readonly tableName: string,
  ) {}

  async latest(aggregateId: string, atOrBelow?: number): Promise<Snapshot | undefined> {
    const page = await unlessUnavailable("Query", this.tableName, () =>
      queryItems(this.db, {
        TableName: this.tableName,
        KeyConditionExpression: atOrBelow === undefined ? "#pk = :id" : "#pk = :id AND #sk <= :v",
        ExpressionAttributeNames: { "#pk": SNAPSHOT_PARTITION_KEY, ...(atOrBelow === undefined ? {} : { "#sk": SNAPSHOT_SORT_KEY }) },
        ExpressionAttributeValues: atOrBelow === undefined ? { ":id": aggregateId } : { ":id": aggregateId, ":v": atOrBelow },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    return page.items[0] as unknown as Snapshot | undefined;
  }

  async get(aggregateId: string, version: number): Promise<Snapshot | undefined> {
    const item = await unlessUnavailable("GetItem", this.tableName, () =>
      getItem(this.db, { TableName: this.tableName, Key: { [SNAPSHOT_PARTITION_KEY]: aggregateId, [SNAPSHOT_SORT_KEY]: version } }),
    );
    return item as unknown as Snapshot | undefined;
  }

  async getMany(keys: readonly { aggregateId: string; version: number }[]): Promise<Snapshot[]> {
    const found: Snapshot[] = [];
    for (let start = 0; start < keys.length; start += 100) {
      let pending = keys
        .slice(start, start + 100)
        .map((key) => ({ [SNAPSHOT_PARTITION_KEY]: key.aggregateId, [SNAPSHOT_SORT_KEY]: key.version }) as Record<string, unknown>);
      // Unprocessed keys (throttling) are asked again a few times; any left are simply "not found".
      await retry(
        async () => {
          const asked = pending;
          const page = await unlessUnavailable("BatchGetItem", this.tableName, () =>
            batchGetItems(this.db, { RequestItems: { [this.tableName]: { Keys: asked } } }),
          );
          found.push(...((page.responses[this.tableName] ?? []) as unknown as Snapshot[]));
          pending = page.unprocessed[this.tableName] ?? [];
        },
        { attempts: 4, backoff: { baseMs: 40, capMs: 1_000 }, isIncomplete: () => pending.length > 0 },
      );
    }
    return found;
  }

  async save(snapshot: Snapshot): Promise<void> {
    try {
      // The fold is deterministic, so an existing snapshot of the same schema is the same snapshot.
      await putItem(this.db, {
        TableName: this.tableName,
        Item: { ...snapshot },
        ConditionExpression: "attribute_not_exists(#pk) OR schemaVersion <> :sv",
        ExpressionAttributeNames: { "#pk": SNAPSHOT_PARTITION_KEY },
        ExpressionAttributeValues: { ":sv": snapshot.schemaVersion },
      });
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
