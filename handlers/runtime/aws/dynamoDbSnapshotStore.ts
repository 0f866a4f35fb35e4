import { retry } from "../support/retry";
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { SNAPSHOT_PARTITION_KEY, SNAPSHOT_SORT_KEY } from "../ledger/conventions";
import { Snapshot, SnapshotStore } from "../ledger/stores";
import { isConditionFailure } from "./documentClient";
import { unlessUnavailable } from "./transient";

/** Snapshots on a DynamoDB table: partition = aggregate id, sort = version, so history is kept. */
export class DynamoDbSnapshotStore implements SnapshotStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async latest(aggregateId: string, atOrBelow?: number): Promise<Snapshot | undefined> {
    const page = await unlessUnavailable("Query", this.tableName, () =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: atOrBelow === undefined ? "#pk = :id" : "#pk = :id AND #sk <= :v",
          ExpressionAttributeNames: { "#pk": SNAPSHOT_PARTITION_KEY, ...(atOrBelow === undefined ? {} : { "#sk": SNAPSHOT_SORT_KEY }) },
          ExpressionAttributeValues: atOrBelow === undefined ? { ":id": aggregateId } : { ":id": aggregateId, ":v": atOrBelow },
          ScanIndexForward: false,
          Limit: 1,
        }),
      ),
    );
    return page.Items?.[0] as Snapshot | undefined;
  }

  async get(aggregateId: string, version: number): Promise<Snapshot | undefined> {
    const result = await unlessUnavailable("GetItem", this.tableName, () =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [SNAPSHOT_PARTITION_KEY]: aggregateId, [SNAPSHOT_SORT_KEY]: version },
        }),
      ),
    );
    return result.Item as Snapshot | undefined;
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
            this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: asked } } })),
          );
          found.push(...((page.Responses?.[this.tableName] ?? []) as Snapshot[]));
          pending = (page.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
        },
        { attempts: 4, backoff: { baseMs: 40, capMs: 1_000 }, isIncomplete: () => pending.length > 0 },
      );
    }
    return found;
  }

  async save(snapshot: Snapshot): Promise<void> {
    try {
      // The fold is deterministic, so an existing snapshot of the same schema is the same snapshot.
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...snapshot },
          ConditionExpression: "attribute_not_exists(#pk) OR schemaVersion <> :sv",
          ExpressionAttributeNames: { "#pk": SNAPSHOT_PARTITION_KEY },
          ExpressionAttributeValues: { ":sv": snapshot.schemaVersion },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
