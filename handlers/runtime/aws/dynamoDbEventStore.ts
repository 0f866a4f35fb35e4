import { randomUUID } from "node:crypto";
import { IDEMPOTENCY_PARTITION_KEY, IDEMPOTENCY_TTL_ATTRIBUTE, LEDGER_PARTITION_KEY, LEDGER_SORT_KEY } from "../ledger/conventions";
import {
  CommitOutcomeUnknownError,
  CommitTooLargeError,
  IdempotencyKeyTakenError,
  VersionConflictError,
  VersionGapError,
} from "../ledger/errors";
import { InvalidEventError } from "../domain/errors";
import { retry } from "../support/retry";
import { checkCommit, idempotencyItem, keyHeld, ledgerItems, transactionBytes } from "../ledger/commit";
import { DYNAMODB_LIMITS } from "../domain/storable";
import { positiveInteger } from "../support/options";
import { ConfigurationError } from "../support/errors";
import { AppendOptions, EventStore, IdempotencyRecord, StoredEventItem } from "../ledger/stores";
import { isConditionFailure, plainItem, sentWithoutEffect } from "./documentClient";
import { DynamoDbClientInput, getItem, putItem, queryItems, sendRequest, transactWriteRequest } from "./items";
import { unlessUnavailable } from "./transient";

export interface DynamoDbEventStoreOptions {
  /** Table of idempotency records; commands with an idempotency key need it. */
  idempotencyTable?: string;
  /** Items per query page; DynamoDB's 1 MB pages when omitted. */
  pageSize?: number;
  /** Times an identical write is sent again after an answer was lost, before CommitOutcomeUnknownError. Default 4. */
  resendAttempts?: number;
}

/** What one append sends and how to read a refusal of it. */
interface WritePlan {
  commitId: string;
  /** Per transaction action: what it writes or checks, to name the aggregate a refusal is about. */
  actions: (
    | { kind: "event"; aggregateId: string; version: number }
    | { kind: "predecessor"; aggregateId: string; version: number }
    | { kind: "idempotency" }
  )[];
  send(): Promise<unknown>;
}

/** A send that got no certain answer: none at all, or one that does not tell whether the commit landed. */
class Unanswered extends Error {}

const TRANSIENT_CANCELLATION_CODES = new Set([
  "None",
  "ThrottlingError",
  "ProvisionedThroughputExceeded",
  "RequestLimitExceeded",
  "TransactionConflict",
]);

/**
 * The event ledger on a DynamoDB table: partition = aggregate id, sort = version. Every item
 * carries its commit id, so a write whose answer was lost and that is sent again (by the SDK's
 * retry or by this store) is recognised as our own when its condition fails: a command is never
 * applied twice, and never reported as lost when it was applied.
 */
export class DynamoDbEventStore implements EventStore {
  private readonly options: DynamoDbEventStoreOptions;
  private readonly resendAttempts: number;

  constructor(
    private readonly db: DynamoDbClientInput,
    readonly tableName: string,
    options: DynamoDbEventStoreOptions | number = {},
  ) {
    this.options = typeof options === "number" ? { pageSize: options } : options;
    if (this.options.pageSize !== undefined) positiveInteger("pageSize", this.options.pageSize, 0);
    this.resendAttempts = positiveInteger("resendAttempts", this.options.resendAttempts, 4, { allowZero: true });
  }

  async append(events: readonly StoredEventItem[], options: AppendOptions = {}): Promise<{ commitId: string }> {
    const commitId = options.commitId ?? randomUUID();
    const plan = this.plan(events, commitId, options);
    try {
      await retry(
        async () => {
          try {
            await plan.send();
          } catch (error) {
            // A definite answer: our own commit (its earlier answer was lost), a conflict, a gap, a taken key.
            const verdict = interpretRefusal(error, plan);
            if (verdict === "ours") return;
            if (verdict) throw verdict;
            if (sentWithoutEffect(error)) throw error;
            throw new Unanswered("no certain answer", { cause: error });
          }
        },
        // No answer, or one that does not say: send the identical commit again until one does.
        { attempts: this.resendAttempts, backoff: { baseMs: 50, capMs: 1_000 }, shouldRetry: (error) => error instanceof Unanswered },
      );
    } catch (error) {
      if (error instanceof Unanswered)
        throw new CommitOutcomeUnknownError(aggregateOfCommit(events, options), commitId, { cause: error.cause });
      throw error;
    }
    return { commitId };
  }

  async read(aggregateId: string, after: number, upTo?: number): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const exclusiveStartKey = startKey;
      const page = await unlessUnavailable("Query", this.tableName, () =>
        queryItems(this.db, {
          TableName: this.tableName,
          ConsistentRead: true,
          KeyConditionExpression: upTo === undefined ? "#pk = :id AND #sk > :after" : "#pk = :id AND #sk BETWEEN :from AND :upTo",
          ExpressionAttributeNames: { "#pk": LEDGER_PARTITION_KEY, "#sk": LEDGER_SORT_KEY },
          ExpressionAttributeValues:
            upTo === undefined ? { ":id": aggregateId, ":after": after } : { ":id": aggregateId, ":from": after + 1, ":upTo": upTo },
          ExclusiveStartKey: exclusiveStartKey,
          Limit: this.options.pageSize,
        }),
      );
      items.push(...page.items);
      startKey = page.lastKey;
    } while (startKey);
    return items;
  }

  async readLatest(aggregateId: string, limit: number, upTo?: number): Promise<Record<string, unknown>[]> {
    const page = await unlessUnavailable("Query", this.tableName, () =>
      queryItems(this.db, {
        TableName: this.tableName,
        ConsistentRead: true,
        KeyConditionExpression: upTo === undefined ? "#pk = :id" : "#pk = :id AND #sk <= :upTo",
        ExpressionAttributeNames: { "#pk": LEDGER_PARTITION_KEY, ...(upTo === undefined ? {} : { "#sk": LEDGER_SORT_KEY }) },
        ExpressionAttributeValues: upTo === undefined ? { ":id": aggregateId } : { ":id": aggregateId, ":upTo": upTo },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return page.items.reverse();
  }

  async idempotencyRecord(key: string): Promise<IdempotencyRecord | undefined> {
    const table = this.options.idempotencyTable;
    if (!table) return undefined;
    const item = await unlessUnavailable("GetItem", table, () =>
      getItem(this.db, { TableName: table, Key: { [IDEMPOTENCY_PARTITION_KEY]: key }, ConsistentRead: true }),
    );
    // Expired but not yet removed by TTL: forgotten, as the append's condition treats it.
    const record = item as unknown as IdempotencyRecord | undefined;
    return record && keyHeld(record, Date.now()) && "fingerprint" in record ? record : undefined;
  }

  /** Validates the commit against the ledger's rules and DynamoDB's limits, then builds its request. */
  private plan(events: readonly StoredEventItem[], commitId: string, options: AppendOptions): WritePlan {
    const firsts = checkCommit(events);
    const idempotency = options.idempotency && this.idempotencyPut({ ...options.idempotency, commitId });
    if (events.length === 0 && !idempotency) throw new InvalidEventError("a commit needs at least one event");
    const items = ledgerItems(events, commitId);
    const versionIsNew = { ConditionExpression: "attribute_not_exists(#pk)", ExpressionAttributeNames: { "#pk": LEDGER_PARTITION_KEY } };
    const predecessors = options.predecessorsRead ? [] : [...firsts].filter(([, version]) => version > 1);
    const actions: WritePlan["actions"] = [
      ...items.map((item) => ({ kind: "event" as const, aggregateId: item.aggregateId, version: item.version })),
      ...predecessors.map(([aggregateId, version]) => ({ kind: "predecessor" as const, aggregateId, version })),
      ...(idempotency ? [{ kind: "idempotency" as const }] : []),
    ];
    if (actions.length > DYNAMODB_LIMITS.transactionItems) {
      throw new CommitTooLargeError(events[0].aggregateId, actions.length, DYNAMODB_LIMITS.transactionItems, "items");
    }
    const bytes = transactionBytes(items, idempotency?.Item);
    if (bytes > DYNAMODB_LIMITS.transactionBytes)
      throw new CommitTooLargeError(events[0].aggregateId, bytes, DYNAMODB_LIMITS.transactionBytes, "bytes");

    if (actions.length === 1) {
      const single = idempotency ?? { TableName: this.tableName, Item: items[0], ...versionIsNew };
      return { commitId, actions, send: () => putItem(this.db, { ...single, ReturnValuesOnConditionCheckFailure: "ALL_OLD" }) };
    }
    // One token for every send of this commit: DynamoDB answers a repeat of a committed transaction with success.
    const token = randomUUID();
    const request = transactWriteRequest({
      ClientRequestToken: token,
      TransactItems: [
        ...items.map((Item) => ({
          Put: { TableName: this.tableName, Item, ...versionIsNew, ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const },
        })),
        ...predecessors.map(([aggregateId, version]) => ({
          ConditionCheck: {
            TableName: this.tableName,
            Key: { [LEDGER_PARTITION_KEY]: aggregateId, [LEDGER_SORT_KEY]: version - 1 },
            ConditionExpression: "attribute_exists(#pk)",
            ExpressionAttributeNames: { "#pk": LEDGER_PARTITION_KEY },
          },
        })),
        ...(idempotency ? [{ Put: { ...idempotency, ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const } }] : []),
      ],
    });
    return { commitId, actions, send: () => sendRequest(this.db, request) };
  }

  /** The conditional put of an idempotency record: it succeeds only if the key is new or expired. */
  private idempotencyPut(record: IdempotencyRecord) {
    const table = this.options.idempotencyTable;
    // The service's setup, not the command, is at fault: a client's key must not be answered as its error.
    if (!table)
      throw new ConfigurationError(
        "idempotencyTable",
        "is not set: this event store cannot remember the idempotency key a command was sent with",
      );
    return {
      TableName: table,
      Item: idempotencyItem(record),
      ConditionExpression: "attribute_not_exists(#key) OR #expires < :now",
      ExpressionAttributeNames: { "#key": IDEMPOTENCY_PARTITION_KEY, "#expires": IDEMPOTENCY_TTL_ATTRIBUTE },
      ExpressionAttributeValues: { ":now": Math.floor(Date.now() / 1000) },
    };
  }
}

/** The aggregate a commit is about: its first event's, or for a key recorded alone, the one its record names. */
function aggregateOfCommit(events: readonly StoredEventItem[], options: AppendOptions): string {
  const record = options.idempotency;
  return (
    events[0]?.aggregateId ??
    record?.rejection?.aggregateId ??
    record?.versions?.[0]?.aggregateId ??
    record?.commits?.[0]?.aggregateId ??
    ""
  );
}

/**
 * What a refusal of our write says for sure: "ours" when an item it hit already holds our commit
 * (an earlier send was applied), a typed error when another commit, a missing predecessor or a
 * remembered key refused it, undefined when it says nothing certain.
 */
function interpretRefusal(error: unknown, plan: WritePlan): "ours" | Error | undefined {
  if (isConditionFailure(error)) {
    const held = plainItem((error as { Item?: unknown }).Item);
    if (held?.commitId === plan.commitId) return "ours";
    const [action] = plan.actions;
    if (action.kind === "idempotency") return held ? new IdempotencyKeyTakenError(held as unknown as IdempotencyRecord) : undefined;
    return new VersionConflictError(action.kind === "event" ? action.aggregateId : "", action.kind === "event" ? action.version : 0, {
      cause: error,
      held,
    });
  }
  const cancelled = error as { name?: string; CancellationReasons?: { Code?: string; Item?: unknown }[] };
  if (cancelled?.name !== "TransactionCanceledException") return undefined;
  const reasons = (cancelled.CancellationReasons ?? []).map((reason) => ({ code: reason.Code ?? "None", item: plainItem(reason.Item) }));
  if (reasons.some((reason) => reason.item?.commitId === plan.commitId)) return "ours";
  let conflict: Error | undefined;
  for (const [index, reason] of reasons.entries()) {
    const action = plan.actions[index];
    if (!action) continue;
    if (reason.code === "ConditionalCheckFailed") {
      // A remembered key decides first: the command ran already, whatever else refused it.
      if (action.kind === "idempotency") return new IdempotencyKeyTakenError(reason.item as unknown as IdempotencyRecord);
      if (action.kind === "predecessor")
        conflict ??= new VersionGapError(action.aggregateId, action.version - 1, `version ${action.version} would leave a gap`, {
          cause: error,
        });
      else conflict ??= new VersionConflictError(action.aggregateId, action.version, { cause: error, held: reason.item });
    } else if (reason.code === "TransactionConflict" && action.kind === "event") {
      // Another transaction is writing this very version: a conflict to catch up on, not an unknown.
      conflict ??= new VersionConflictError(action.aggregateId, action.version, { cause: error });
    } else if (!TRANSIENT_CANCELLATION_CODES.has(reason.code)) {
      return new InvalidEventError(
        `DynamoDB refused the commit: ${reason.code}`,
        action.kind === "idempotency" ? undefined : action.aggregateId,
        undefined,
        { cause: error },
      );
    }
  }
  // Nothing certain (throttled, or conflicting with our own earlier send still in flight): send again.
  return conflict;
}
