import { AppendOptions, EventStore, IdempotencyRecord, StoredEventItem } from "../../handlers/runtime/ledger/stores";
import { InMemoryEventStore } from "../../handlers/runtime/memory/eventStore";

/**
 * An event store in front of another (the in-memory ledger by default), counting what the code
 * under test asks of it: appends, range reads, tail reads and the items the reads returned. Each
 * call is counted when it is made, whether it succeeds or not. `target` may be switched (a ledger
 * restored from a backup, a table that is gone); seeding through `target` is not counted.
 */
export class CountingEventStore implements EventStore {
  appends = 0;
  ranges = 0;
  tails = 0;
  itemsRead = 0;
  keyReads = 0;

  constructor(public target: EventStore = new InMemoryEventStore()) {}

  /** Reads of either kind. */
  get reads(): number {
    return this.ranges + this.tails + this.keyReads;
  }

  /** Every request: appends and reads. */
  get requests(): number {
    return this.appends + this.reads;
  }

  /** Zeroes every count. */
  reset(): void {
    this.appends = this.ranges = this.tails = this.itemsRead = this.keyReads = 0;
  }

  append(events: readonly StoredEventItem[], options?: AppendOptions): Promise<{ commitId: string }> {
    this.appends += 1;
    return this.target.append(events, options);
  }

  async read(aggregateId: string, after: number, upTo?: number): Promise<Record<string, unknown>[]> {
    this.ranges += 1;
    const items = await this.target.read(aggregateId, after, upTo);
    this.itemsRead += items.length;
    return items;
  }

  /** Counted as a read: one request. */
  async idempotencyRecord(key: string): Promise<IdempotencyRecord | undefined> {
    this.keyReads += 1;
    return this.target.idempotencyRecord?.(key);
  }

  async readLatest(aggregateId: string, limit: number, upTo?: number): Promise<Record<string, unknown>[]> {
    this.tails += 1;
    const items = await this.target.readLatest(aggregateId, limit, upTo);
    this.itemsRead += items.length;
    return items;
  }
}
