import { Aggregate } from "../domain/domain";

/**
 * A stored copy of an aggregate at one version, trusted only for the schema version it was made
 * with and only when its checksum matches its content.
 */
export interface Snapshot<S = unknown> extends Aggregate<S> {
  schemaVersion: number;
  /** sha-256 of the snapshot's content (see snapshotChecksum); absent on snapshots of older releases. */
  checksum?: string;
}

/** What a command's idempotency key remembers: enough to answer a repeat with the first result. */
export interface IdempotencyRecord {
  idempotencyKey: string;
  /** sha-256 of the aggregate ids and the command: the key may not be reused for another command. */
  fingerprint: string;
  commitId: string;
  /** committed: events were written; unchanged: the decision was to write nothing; rejected: a business rule refused it. */
  outcome: "committed" | "unchanged" | "rejected";
  /** committed: the versions the commit wrote, per aggregate. */
  commits?: { aggregateId: string; fromVersion: number; toVersion: number }[];
  /** unchanged: the version of each aggregate the decision stood on; committed: of each aggregate the commit did not write. */
  versions?: { aggregateId: string; version: number }[];
  /** rejected: the rejection the first execution got. */
  rejection?: { aggregateId: string; version: number; code: string; detail: string };
  /** Epoch seconds after which the key is forgotten (the table's TTL attribute). */
  expiresAt: number;
}

export interface AppendOptions {
  /** Identifies the commit; an item already holding it is our own earlier write. Default: a new UUID. */
  commitId?: string;
  /**
   * The caller read every version before this commit consistently from this ledger, so the
   * predecessor check (a transaction) can be skipped. Default false: the ledger checks.
   */
  predecessorsRead?: boolean;
  /** Remembered in the same transaction; an append of no events records only this (a rejection, a decision to do nothing). */
  idempotency?: IdempotencyRecord;
}

/** Where events live. Domain-agnostic: callers validate what they read. */
export interface EventStore {
  /**
   * Writes one commit atomically: events of one or several aggregates, each version at most once,
   * never after a missing version. A write whose answer was lost is recognised by its commit id.
   * Throws VersionConflictError when a version exists, VersionGapError when its predecessor does
   * not, IdempotencyKeyTakenError when the key is remembered already, CommitTooLargeError past
   * the limits, CommitOutcomeUnknownError when no attempt could learn whether it was applied.
   */
  append(events: readonly StoredEventItem[], options?: AppendOptions): Promise<{ commitId: string }>;
  /** Consistent read of the events with `after < version <= upTo`, in version order, all pages. */
  read(aggregateId: string, after: number, upTo?: number): Promise<Record<string, unknown>[]>;
  /** Consistent read of the last `limit` events at or below `upTo` (the latest when omitted), in version order: one request. */
  readLatest(aggregateId: string, limit: number, upTo?: number): Promise<Record<string, unknown>[]>;
  /**
   * Consistent read of the record an idempotency key holds, undefined when it holds none or has
   * expired: how a keyed command refused before its write (a decision that fails, a commit too
   * large) still answers a repeat with the first outcome. A store without keys may leave it out.
   */
  idempotencyRecord?(key: string): Promise<IdempotencyRecord | undefined>;
}

/** The fields an event item holds in the ledger table. */
export interface StoredEventItem {
  aggregateId: string;
  version: number;
  type: string;
  payload: Record<string, unknown>;
  timestamp: string;
  metadata?: Record<string, unknown>;
  commitId?: string;
}

/** Anything that can hand out a starting point for a fold: a snapshot table or a read model carrying state. */
export interface SnapshotSource {
  /** True for a source that follows the ledger closely (a read replica's rows): a decide-first command decides on it at once. */
  readonly followsLedger?: boolean;
  /** The newest snapshot at or below `atOrBelow` (any version when omitted). */
  latest(aggregateId: string, atOrBelow?: number): Promise<Snapshot | undefined>;
}

export interface SnapshotStore extends SnapshotSource {
  /** Exactly the snapshot at `version`, used as the claim check for oversized aggregates. */
  get(aggregateId: string, version: number): Promise<Snapshot | undefined>;
  /** The snapshots that exist among these exact (aggregate id, version) keys, in as few requests as the store allows. */
  getMany(keys: readonly { aggregateId: string; version: number }[]): Promise<Snapshot[]>;
  /** Idempotent: writing the same snapshot twice is harmless. */
  save(snapshot: Snapshot): Promise<void>;
}

export type WriteOutcome = { written: true } | { written: false; storedVersion?: number };

/** Where a projector keeps its rows. */
export interface ReadModelStore {
  /** Writes the row only if there is none or its stored version is strictly lower. */
  putIfNewer(id: string, version: number, row: Record<string, unknown>): Promise<WriteOutcome>;
  get(id: string): Promise<Record<string, unknown> | undefined>;
}
