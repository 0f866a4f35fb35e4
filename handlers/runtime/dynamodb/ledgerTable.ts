import { DynamoDBDocumentClient, PutCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { LEDGER_PARTITION_KEY, LEDGER_SORT_KEY, MAX_EVENTS_PER_COMMIT } from "../conventions";
import { CommitTooLargeError, InvalidEventError, VersionConflictError } from "../errors";
import { EventStore, StoredEventItem } from "../stores";
import { isConditionFailure } from "./client";

/** The event ledger on a DynamoDB table: partition = aggregate id, sort = version. */
export class DynamoDbEventStore implements EventStore {
  /** Event items returned by reads since creation: what "items read per command" counts. */
  itemsRead = 0;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
    /** Items per query page; DynamoDB's 1 MB pages when omitted. */
    private readonly pageSize?: number,
  ) {}

  async append(events: readonly StoredEventItem[]): Promise<void> {
    if (events.length === 0) return;
    const first = events[0];
    if (events.length > MAX_EVENTS_PER_COMMIT) {
      throw new CommitTooLargeError(first.aggregateId, events.length, MAX_EVENTS_PER_COMMIT);
    }
    events.forEach((event, index) => {
      if (typeof event.aggregateId !== "string" || event.aggregateId.trim() === "") {
        throw new InvalidEventError("missing aggregate id", undefined, event.version);
      }
      if (!Number.isSafeInteger(event.version) || event.version < 1) {
        throw new InvalidEventError(`version must be a positive integer, got ${JSON.stringify(event.version)}`, event.aggregateId);
      }
      if (event.aggregateId !== first.aggregateId) {
        throw new InvalidEventError("one commit may only hold events of one aggregate", event.aggregateId);
      }
      if (event.version !== first.version + index) {
        throw new InvalidEventError(`commit versions must be contiguous from ${first.version}`, event.aggregateId, event.version);
      }
    });
    // A version can be written once: the condition fails if the item (id, version) exists.
    const condition = {
      ConditionExpression: "attribute_not_exists(#pk)",
      ExpressionAttributeNames: { "#pk": LEDGER_PARTITION_KEY },
    };
    if (events.length === 1) {
      try {
        await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...first }, ...condition }));
      } catch (error) {
        if (isConditionFailure(error)) throw new VersionConflictError(first.aggregateId, first.version);
        throw error;
      }
      return;
    }
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: events.map((event) => ({ Put: { TableName: this.tableName, Item: { ...event }, ...condition } })),
        }),
      );
    } catch (error) {
      const conflict = conflictingVersion(error, events);
      if (conflict !== undefined) throw new VersionConflictError(first.aggregateId, conflict);
      throw error;
    }
  }

  async read(aggregateId: string, after: number, upTo?: number): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          KeyConditionExpression:
            upTo === undefined ? "#pk = :id AND #sk > :after" : "#pk = :id AND #sk BETWEEN :from AND :upTo",
          ExpressionAttributeNames: { "#pk": LEDGER_PARTITION_KEY, "#sk": LEDGER_SORT_KEY },
          ExpressionAttributeValues:
            upTo === undefined ? { ":id": aggregateId, ":after": after } : { ":id": aggregateId, ":from": after + 1, ":upTo": upTo },
          ExclusiveStartKey: startKey,
          Limit: this.pageSize,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    this.itemsRead += items.length;
    return items;
  }
}

/**
 * A cancelled transaction is a version conflict when an item failed its condition
 * (the version exists) or another transaction was writing the same item at that moment.
 */
function conflictingVersion(error: unknown, events: readonly StoredEventItem[]): number | undefined {
  const cancelled = error as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (cancelled?.name !== "TransactionCanceledException") return undefined;
  const reasons = cancelled.CancellationReasons ?? [];
  const index = reasons.findIndex((reason) => reason.Code === "ConditionalCheckFailed" || reason.Code === "TransactionConflict");
  return index >= 0 ? events[index].version : undefined;
}
