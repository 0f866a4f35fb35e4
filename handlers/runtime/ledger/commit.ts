import { InvalidEventError } from "../domain/errors";
import { aggregateIdProblem, versionProblem } from "../domain/identity";
import { DYNAMODB_LIMITS, itemSize, unstorable } from "../domain/storable";
import { AGGREGATE_BUCKET_ATTRIBUTE, IDEMPOTENCY_TTL_ATTRIBUTE, aggregateBucket } from "./conventions";
import { IdempotencyRecord, StoredEventItem } from "./stores";

/** The items a commit writes to the ledger: each event with its commit id; an aggregate's first event also enters the sparse index of aggregates. */
export const ledgerItems = (events: readonly StoredEventItem[], commitId: string): (StoredEventItem & Record<string, unknown>)[] =>
  events.map((event) => ({
    ...event,
    commitId,
    ...(event.version === 1 ? { [AGGREGATE_BUCKET_ATTRIBUTE]: aggregateBucket(event.aggregateId) } : {}),
  }));

/** An idempotency record as its table holds it: with the TTL attribute DynamoDB expires it by. */
export const idempotencyItem = (record: IdempotencyRecord): Record<string, unknown> => ({
  ...record,
  [IDEMPOTENCY_TTL_ATTRIBUTE]: record.expiresAt,
});

/** Whether a key's record still holds the key at `nowMs`: through its expiry second (a later write may take the key). */
export const keyHeld = (record: IdempotencyRecord, nowMs: number): boolean => record.expiresAt >= Math.floor(nowMs / 1000);

/** The bytes one transaction writes: the ledger's items and the key's record (DynamoDB's 4 MB limit counts them all). */
export const transactionBytes = (items: readonly Record<string, unknown>[], record?: Record<string, unknown>): number =>
  items.reduce((sum, item) => sum + itemSize(item), record ? itemSize(record) : 0);

/**
 * Checks a commit before anything is written: ids and versions well formed, each aggregate's
 * versions contiguous, payloads DynamoDB stores unchanged, items within 400 KB. Returns each
 * aggregate's first version.
 */
export function checkCommit(events: readonly StoredEventItem[]): Map<string, number> {
  const next = new Map<string, number>();
  const firsts = new Map<string, number>();
  for (const event of events) {
    const { aggregateId, version } = event;
    const idProblem = aggregateIdProblem(aggregateId);
    if (idProblem)
      throw new InvalidEventError(
        idProblem,
        typeof aggregateId === "string" && aggregateId.trim() !== "" ? aggregateId.slice(0, 64) + "…" : undefined,
        version,
      );
    const problem = versionProblem(version);
    if (problem) throw new InvalidEventError(problem, aggregateId);
    const expected = next.get(aggregateId);
    if (expected === undefined) {
      if (firsts.has(aggregateId))
        throw new InvalidEventError("the events of one aggregate must be contiguous in a commit", aggregateId, version);
      firsts.set(aggregateId, version);
    } else if (version !== expected) {
      throw new InvalidEventError(`commit versions must be contiguous: expected ${expected}`, aggregateId, version);
    }
    next.clear();
    next.set(aggregateId, version + 1);
    for (const [field, value] of [
      ["payload", event.payload],
      ["metadata", event.metadata],
    ] as const) {
      const problem = value === undefined ? undefined : unstorable(value, field);
      if (problem) throw new InvalidEventError(`${event.type}: ${problem}`, aggregateId, version);
    }
    const size = itemSize({ ...event, commitId: "00000000-0000-0000-0000-000000000000" });
    if (size > DYNAMODB_LIMITS.itemBytes) {
      throw new InvalidEventError(
        `${event.type} is ${size} bytes, over DynamoDB's ${DYNAMODB_LIMITS.itemBytes}-byte item limit`,
        aggregateId,
        version,
      );
    }
  }
  return firsts;
}
