import { Aggregate } from "./domain";

/** A stored copy of an aggregate at one version, trusted only for the schema version it was made with. */
export interface Snapshot<S = unknown> extends Aggregate<S> {
  schemaVersion: number;
}

/** Where events live. Domain-agnostic: callers validate what they read. */
export interface EventStore {
  /**
   * Writes the events of one aggregate atomically, each version at most once.
   * Throws VersionConflictError when any version already exists, CommitTooLargeError past the limit.
   */
  append(events: readonly StoredEventItem[]): Promise<void>;
  /** Consistent read of the events with `after < version <= upTo`, in version order, all pages. */
  read(aggregateId: string, after: number, upTo?: number): Promise<Record<string, unknown>[]>;
}

/** The fields an event item holds in the ledger table. */
export interface StoredEventItem {
  aggregateId: string;
  version: number;
  type: string;
  payload: Record<string, unknown>;
  timestamp: string;
  metadata?: Record<string, unknown>;
}

/** Anything that can hand out a starting point for a fold: a snapshot table or a read model carrying state. */
export interface SnapshotSource {
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
