import { randomUUID } from "node:crypto";
import { checkCommit, idempotencyItem, keyHeld, ledgerItems, transactionBytes } from "../ledger/commit";
import { CommitTooLargeError, IdempotencyKeyTakenError, VersionConflictError, VersionGapError } from "../ledger/errors";
import { InvalidEventError } from "../domain/errors";
import { DYNAMODB_LIMITS } from "../domain/storable";
import { AppendOptions, EventStore, IdempotencyRecord, StoredEventItem } from "../ledger/stores";

/**
 * The event ledger in memory, honouring DynamoDbEventStore's contract (the same contract suite runs
 * against both): each version written once, no gap, commits atomic across aggregates, a commit sent
 * again recognised by its commit id, idempotency keys remembered until they expire, DynamoDB's limits
 * enforced. For decider tests, examples and services' own unit tests; not shared across processes.
 */
export class InMemoryEventStore implements EventStore {
  private readonly streams = new Map<string, StoredEventItem[]>();
  private readonly keys = new Map<string, IdempotencyRecord>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async append(events: readonly StoredEventItem[], options: AppendOptions = {}): Promise<{ commitId: string }> {
    const commitId = options.commitId ?? randomUUID();
    const firsts = checkCommit(events);
    if (events.length === 0 && !options.idempotency) throw new InvalidEventError("a commit needs at least one event");
    const actions =
      events.length +
      (options.predecessorsRead ? 0 : [...firsts.values()].filter((version) => version > 1).length) +
      (options.idempotency ? 1 : 0);
    if (actions > DYNAMODB_LIMITS.transactionItems)
      throw new CommitTooLargeError(events[0].aggregateId, actions, DYNAMODB_LIMITS.transactionItems, "items");
    // Sized as DynamoDB's store writes them: the ledger's items and the key's record.
    const bytes = transactionBytes(
      ledgerItems(events, commitId),
      options.idempotency && idempotencyItem({ ...options.idempotency, commitId }),
    );
    if (bytes > DYNAMODB_LIMITS.transactionBytes)
      throw new CommitTooLargeError(events[0].aggregateId, bytes, DYNAMODB_LIMITS.transactionBytes, "bytes");

    // Every check first, then every write: the commit lands whole or not at all. A remembered key
    // decides first, as in the DynamoDB transaction: the command ran already.
    if (options.idempotency) {
      const remembered = this.rememberedKey(options.idempotency.idempotencyKey);
      if (remembered) {
        if (remembered.commitId === commitId) return { commitId };
        throw new IdempotencyKeyTakenError(remembered);
      }
    }
    for (const event of events) {
      const held = this.streams.get(event.aggregateId)?.[event.version - 1];
      if (held?.commitId === commitId) return { commitId };
      if (held) throw new VersionConflictError(event.aggregateId, event.version);
    }
    if (!options.predecessorsRead) {
      for (const [aggregateId, version] of firsts) {
        if (version > 1 && (this.streams.get(aggregateId)?.length ?? 0) < version - 1) {
          throw new VersionGapError(aggregateId, version - 1, `version ${version} would leave a gap`);
        }
      }
    }
    if (options.idempotency) this.keys.set(options.idempotency.idempotencyKey, structuredClone({ ...options.idempotency, commitId }));
    for (const event of events) {
      const stream = this.streams.get(event.aggregateId) ?? [];
      stream[event.version - 1] = structuredClone({ ...withoutUndefined(event), commitId });
      this.streams.set(event.aggregateId, stream);
    }
    return { commitId };
  }

  async idempotencyRecord(key: string): Promise<IdempotencyRecord | undefined> {
    return this.rememberedKey(key);
  }

  /** The key's record while it has not expired (synchronous: an append checks and writes with no await between). */
  private rememberedKey(key: string): IdempotencyRecord | undefined {
    const remembered = this.keys.get(key);
    return remembered && keyHeld(remembered, this.now().getTime()) ? structuredClone(remembered) : undefined;
  }

  async read(aggregateId: string, after: number, upTo?: number): Promise<Record<string, unknown>[]> {
    const stream = this.streams.get(aggregateId) ?? [];
    return structuredClone(
      stream.slice(Math.max(0, after), upTo === undefined ? undefined : Math.max(0, upTo)).filter(Boolean),
    ) as unknown as Record<string, unknown>[];
  }

  async readLatest(aggregateId: string, limit: number, upTo?: number): Promise<Record<string, unknown>[]> {
    const stream = (this.streams.get(aggregateId) ?? []).slice(0, upTo === undefined ? undefined : Math.max(0, upTo));
    return structuredClone(stream.slice(Math.max(0, stream.length - limit))) as unknown as Record<string, unknown>[];
  }

  /** Every aggregate id with at least one event, in the order they were first written. */
  aggregateIds(): string[] {
    return [...this.streams.keys()];
  }
}

/** DynamoDB drops attributes whose value is undefined; so does the copy kept here. */
const withoutUndefined = <T extends object>(item: T): T =>
  Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined)) as T;
