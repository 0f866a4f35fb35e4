import { Aggregate, LedgerEvent } from "../domain/domain";
import { InvalidCommandError } from "../domain/errors";
import { AggregateLoader, Seen } from "../ledger/aggregateLoader";
import { IdempotencyKeyTakenError } from "../ledger/errors";
import { EventStore, IdempotencyRecord } from "../ledger/stores";
import { checksumOf } from "../support/checksum";
import { CommandRejectedError, IdempotencyKeyReusedError } from "./errors";
import { MultiCommandResult } from "./results";

/** What a command has read from the ledger so far: the aggregates it holds and the events its reads returned. */
export interface KnownReads<S> {
  aggregates: ReadonlyMap<string, Aggregate<S>>;
  events: readonly LedgerEvent[];
}

const NOTHING_KNOWN: KnownReads<never> = { aggregates: new Map(), events: [] };

/** Prefixes of the keys reactions write to the idempotency table (their commands' keys, their checkpoints): never a client's. */
export const REACTION_KEY_PREFIX = "reaction:";
export const CHECKPOINT_KEY_PREFIX = "reaction-checkpoint:";
export const RESERVED_KEY_PREFIXES = [REACTION_KEY_PREFIX, CHECKPOINT_KEY_PREFIX] as const;

/** The longest idempotency key, in UTF-8 bytes (the idempotency table's partition key). */
const MAX_KEY_BYTES = 1024;

/** The command handler's operations a key may be sent with. */
export type KeyedOperation = "execute" | "executeMany" | "replay";

/** What a command's outcome records under its key: the record less what the key itself supplies. */
export type Outcome = Omit<IdempotencyRecord, "idempotencyKey" | "fingerprint" | "commitId" | "expiresAt">;

/**
 * A command's idempotency key: checked, bound to the command it was sent with (a fingerprint of
 * the aggregate ids and the command), and able to say what the first execution under it did.
 */
export class IdempotencyKey {
  private constructor(
    readonly key: string,
    readonly fingerprint: string,
    private readonly expiresAt: number,
  ) {}

  /**
   * The key of a command, or undefined without one; a key that is not usable is the command's
   * fault. The fingerprint binds the operation too, so one key never answers `execute`,
   * `executeMany` and `replay` with each other's outcome (an `execute`'s is the aggregate ids and
   * command alone, as keys recorded before stay answerable).
   */
  static of(
    key: unknown,
    operation: KeyedOperation,
    aggregateIds: readonly string[],
    command: unknown,
    expiresAt: number,
  ): IdempotencyKey | undefined {
    if (key === undefined) return undefined;
    if (typeof key !== "string" || key === "" || Buffer.byteLength(key) > MAX_KEY_BYTES) {
      throw new InvalidCommandError("an idempotency key must be a non-empty string of at most 1,024 bytes", aggregateIds[0]);
    }
    const bound = operation === "execute" ? { aggregateIds, command } : { operation, aggregateIds, command };
    return new IdempotencyKey(key, checksumOf(bound), expiresAt);
  }

  /** The record of an outcome under this key, written in the commit's own transaction. */
  record(commitId: string, outcome: Outcome): IdempotencyRecord {
    return { idempotencyKey: this.key, fingerprint: this.fingerprint, commitId, expiresAt: this.expiresAt, ...outcome };
  }

  /**
   * The first execution's outcome for a key already taken: its events and aggregates, the state
   * a decision to do nothing stood on, or its rejection (thrown). A key sent with another command
   * is an IdempotencyKeyReusedError. What this command has read already (`known`: usually the
   * very versions and events the first execution left, a resend arriving after it) is not read again.
   */
  async answerRepeat<S>(
    record: IdempotencyRecord,
    loader: AggregateLoader<S>,
    known: KnownReads<S> = NOTHING_KNOWN,
  ): Promise<MultiCommandResult<S>> {
    if (record.fingerprint !== this.fingerprint) throw new IdempotencyKeyReusedError(record.idempotencyKey);
    if (record.outcome === "rejected" && record.rejection) {
      const { aggregateId, version, code, detail } = record.rejection;
      throw new CommandRejectedError(aggregateId, version, code, detail);
    }
    const aggregates = new Map<string, Aggregate<S>>();
    const events: LedgerEvent[] = [];
    const at = async (aggregateId: string, version: number, seen?: Seen) => {
      const aggregate = known.aggregates.get(aggregateId);
      return aggregate?.version === version ? aggregate : loader.load(aggregateId, version, seen);
    };
    for (const { aggregateId, version } of record.versions ?? []) aggregates.set(aggregateId, await at(aggregateId, version));
    for (const { aggregateId, fromVersion, toVersion } of record.commits ?? []) {
      const read = new Map(known.events.filter((event) => event.aggregateId === aggregateId).map((event) => [event.version, event]));
      aggregates.set(aggregateId, await at(aggregateId, toVersion, (event) => read.set(event.version, event)));
      const commit = Array.from({ length: toVersion - fromVersion + 1 }, (_, index) => read.get(fromVersion + index));
      events.push(
        ...(commit.every(Boolean) ? (commit as LedgerEvent[]) : await loader.readEvents(aggregateId, fromVersion - 1, toVersion)),
      );
    }
    return { aggregates, events, attempts: 0, commitId: record.commitId, repeated: true };
  }

  /**
   * Records an outcome that writes no event (a rejection, a decision to do nothing) under the key.
   * Undefined once recorded; the first outcome when the key was taken already.
   */
  async recordAlone<S>(
    events: EventStore,
    loader: AggregateLoader<S>,
    commitId: string,
    outcome: Outcome,
    known?: KnownReads<S>,
  ): Promise<MultiCommandResult<S> | undefined> {
    try {
      await events.append([], { commitId, idempotency: this.record(commitId, outcome) });
      return undefined;
    } catch (error) {
      if (error instanceof IdempotencyKeyTakenError) return this.answerRepeat(error.record, loader, known);
      throw error;
    }
  }
}
