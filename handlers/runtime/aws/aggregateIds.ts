import {
  AGGREGATE_BUCKETS,
  AGGREGATE_BUCKET_ATTRIBUTE,
  AGGREGATE_INDEX,
  LEDGER_PARTITION_KEY,
  LEDGER_SORT_KEY,
} from "../ledger/conventions";
import { ListingPosition } from "../operations/replayRun";
import { DynamoDbClientInput, queryItems, scanItems } from "./items";

export interface ListOptions {
  /** Only ids starting with this. */
  prefix?: string;
  /** Resume after these ids (per bucket), as saved by a previous run. */
  after?: ListingPosition;
  /** Items per page. Default 1,000. */
  pageSize?: number;
  /** Called with the items each page read (what the listing costs). */
  onPage?: (itemsRead: number) => void;
}

/**
 * Every aggregate id of a ledger from its sparse index (one small item per aggregate, written with
 * its first event), bucket by bucket, in id order within a bucket. Never reads an event.
 */
export async function* indexedAggregateIds(
  db: DynamoDbClientInput,
  ledgerTable: string,
  options: ListOptions = {},
): AsyncGenerator<{ id: string; bucket: number }> {
  for (let bucket = 0; bucket < AGGREGATE_BUCKETS; bucket += 1) {
    const after = options.after?.[bucket];
    let startKey: Record<string, unknown> | undefined;
    do {
      const prefix = options.prefix;
      const page = await queryItems(db, {
        TableName: ledgerTable,
        IndexName: AGGREGATE_INDEX,
        KeyConditionExpression: prefix ? "#bucket = :bucket AND begins_with(#id, :prefix)" : "#bucket = :bucket",
        ExpressionAttributeNames: { "#bucket": AGGREGATE_BUCKET_ATTRIBUTE, ...(prefix ? { "#id": LEDGER_PARTITION_KEY } : {}) },
        ExpressionAttributeValues: { ":bucket": bucket, ...(prefix ? { ":prefix": prefix } : {}) },
        // Resuming: start after the last id handed out (the index key is bucket + id + the table's key).
        ExclusiveStartKey:
          startKey ?? (after ? { [AGGREGATE_BUCKET_ATTRIBUTE]: bucket, [LEDGER_PARTITION_KEY]: after, [LEDGER_SORT_KEY]: 1 } : undefined),
        Limit: options.pageSize ?? 1000,
      });
      options.onPage?.(page.items.length);
      for (const item of page.items) yield { id: item[LEDGER_PARTITION_KEY] as string, bucket };
      startKey = page.lastKey;
    } while (startKey);
  }
}

/**
 * Every aggregate id by scanning the ledger itself (for a ledger written before the index
 * existed): reads every event, keeps the first of each aggregate. Segments scan in parallel.
 */
export async function scannedAggregateIds(
  db: DynamoDbClientInput,
  ledgerTable: string,
  options: { segments?: number; prefix?: string; onPage?: (itemsRead: number) => void } = {},
): Promise<string[]> {
  const segments = options.segments ?? 4;
  const ids: string[] = [];
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await scanItems(db, {
          TableName: ledgerTable,
          Segment: segment,
          TotalSegments: segments,
          ProjectionExpression: "#id",
          FilterExpression: options.prefix ? "#v = :one AND begins_with(#id, :prefix)" : "#v = :one",
          ExpressionAttributeNames: { "#id": LEDGER_PARTITION_KEY, "#v": LEDGER_SORT_KEY },
          ExpressionAttributeValues: { ":one": 1, ...(options.prefix ? { ":prefix": options.prefix } : {}) },
          ExclusiveStartKey: startKey,
        });
        options.onPage?.(page.scannedCount);
        for (const item of page.items) ids.push(item[LEDGER_PARTITION_KEY] as string);
        startKey = page.lastKey;
      } while (startKey);
    }),
  );
  return ids.sort();
}

/** How many aggregates the index holds (for progress and ETA): a count per bucket, no item returned. */
export async function countIndexedAggregates(db: DynamoDbClientInput, ledgerTable: string, prefix?: string): Promise<number> {
  let total = 0;
  for (let bucket = 0; bucket < AGGREGATE_BUCKETS; bucket += 1) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await queryItems(db, {
        TableName: ledgerTable,
        IndexName: AGGREGATE_INDEX,
        Select: "COUNT",
        KeyConditionExpression: prefix ? "#bucket = :bucket AND begins_with(#id, :prefix)" : "#bucket = :bucket",
        ExpressionAttributeNames: { "#bucket": AGGREGATE_BUCKET_ATTRIBUTE, ...(prefix ? { "#id": LEDGER_PARTITION_KEY } : {}) },
        ExpressionAttributeValues: { ":bucket": bucket, ...(prefix ? { ":prefix": prefix } : {}) },
        ExclusiveStartKey: startKey,
      });
      total += page.count;
      startKey = page.lastKey;
    } while (startKey);
  }
  return total;
}
