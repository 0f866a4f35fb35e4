import { Aggregate } from "../domain/domain";
import { RecentlyUsed, stateWeight } from "../support/recentlyUsed";

/**
 * How long the ledger's word on a version stands without a read: a version it held this long ago
 * is one it still holds. The ledger never loses a version; the only way one disappears is a table
 * restored to an earlier point, and a restore cannot happen in this time: DynamoDB restores into a
 * new table, so the ledger's table must be deleted and a backup restored under its name, which
 * takes minutes (and while the table is gone, every request of this handler fails with
 * ResourceNotFoundException, which makes it forget everything it remembers).
 */
export const PROOF_STANDS_MS = 1_000;

/** One remembered aggregate and when the ledger last proved its version (the handler's clock, ms). */
interface Remembered<S> {
  readonly aggregate: Aggregate<S>;
  readonly provenAt: number;
}

/**
 * The aggregates a command handler remembers as the ledger last showed them: its own commits, its
 * consistent reads, a refused write's answer (least recently used dropped first, bounded in count
 * and in bytes). Each keeps the time the ledger proved it, so a recent one can be decided on
 * without a read and written without a predecessor check.
 */
export class RememberedAggregates<S> {
  private readonly entries: RecentlyUsed<string, Remembered<S>>;

  constructor(
    capacity: number,
    maxBytes: number,
    private readonly now: () => number,
  ) {
    this.entries = new RecentlyUsed(capacity, { weigh: (entry) => stateWeight(entry.aggregate), maxWeight: maxBytes });
  }

  /** The aggregate as the ledger proved it just now. */
  proven(aggregate: Aggregate<S>): void {
    this.entries.set(aggregate.aggregateId, { aggregate, provenAt: this.now() });
  }

  get(aggregateId: string): Aggregate<S> | undefined {
    return this.entries.get(aggregateId)?.aggregate;
  }

  /** The aggregate when the ledger proved its version within `PROOF_STANDS_MS`, else undefined. */
  recent(aggregateId: string): Aggregate<S> | undefined {
    const entry = this.entries.get(aggregateId);
    return entry && this.now() - entry.provenAt < PROOF_STANDS_MS ? entry.aggregate : undefined;
  }

  forget(aggregateId: string): void {
    this.entries.delete(aggregateId);
  }

  forgetAll(): void {
    this.entries.clear();
  }
}
