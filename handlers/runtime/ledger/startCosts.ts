import { itemSize } from "../domain/storable";

/** DynamoDB's read unit: a consistent read of up to 4 KB (a Query sums its items' sizes, then rounds up). */
const READ_UNIT_BYTES = 4_096;
/** What a read of nothing still costs: DynamoDB charges a request at least one unit (half for an eventually consistent read). */
const consistentUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));
/** Snapshot reads are eventually consistent: half a unit per 4 KB. */
const eventualUnits = (bytes: number): number => consistentUnits(bytes) / 2;

/** How quickly the running means follow what the loader reads: each observation moves them by this share. */
const SMOOTHING = 0.1;
/** Events measured per read, at most (the newest ones): enough for a mean, little CPU on a long read. */
const SAMPLED_EVENTS = 4;

export interface StartCostOptions {
  /** Events the tail read takes. */
  tailSize: number;
  /** The interval snapshots are taken at (the dispatcher's `snapshotEvery`). */
  snapshotEvery: number;
}

/**
 * The read units each way of starting a load would cost an aggregate of a given version, from the
 * sizes of the events and snapshots this loader has read (running means): the tail (the ledger's
 * last events, one round trip when they reach version 1, else the snapshot inside them as well)
 * against the snapshot first (the latest snapshot, then the events from its version on). For an
 * aggregate never loaded here, what each would have cost the aggregates loaded so far, so a
 * service of young aggregates reads its tails and one of old ones its snapshots.
 */
export class StartCosts {
  private eventBytes?: number;
  private snapshotBytes?: number;
  /** What each start would have cost, on average, the aggregates loaded for the first time. */
  private unseen?: { tail: number; sequential: number };

  constructor(private readonly options: StartCostOptions) {}

  /** Read units of a tail start on an aggregate at `version`. */
  tail(version: number): number {
    const { tailSize } = this.options;
    if (version <= tailSize) return consistentUnits(version * this.eventSize());
    const units = consistentUnits(tailSize * this.eventSize()) + eventualUnits(this.snapshotSize());
    // A snapshot older than the tail: the events between it and the tail are read as well.
    const between = version - tailSize + 1 - this.latestSnapshot(version);
    return between > 0 ? units + consistentUnits(between * this.eventSize()) : units;
  }

  /** Read units of a snapshot-first start on an aggregate at `version`. */
  sequential(version: number): number {
    const snapshot = this.latestSnapshot(version);
    // The snapshot's own version is read too, as the proof the ledger reaches it.
    const events = snapshot === 0 ? version : version - snapshot + 1;
    return eventualUnits(snapshot === 0 ? 0 : this.snapshotSize()) + consistentUnits(events * this.eventSize());
  }

  /**
   * Whether a load should read the tail first: at a known `version`, when that costs no more read
   * units than the snapshot first (one round trip instead of two); for an aggregate not loaded
   * here, when it would have cost the earlier first loads no more on average. Tail at first.
   */
  preferTail(version: number | undefined): boolean {
    if (version !== undefined) return this.tail(version) <= this.sequential(version);
    return this.unseen === undefined || this.unseen.tail <= this.unseen.sequential;
  }

  /** Learns from a first load: what each start would have cost an aggregate at this version. */
  loadedFirstTime(version: number): void {
    const [tail, sequential] = [this.tail(version), this.sequential(version)];
    this.unseen = this.unseen
      ? { tail: mean(this.unseen.tail, tail), sequential: mean(this.unseen.sequential, sequential) }
      : { tail, sequential };
  }

  /** Learns the size of the events a read returned (its newest few). */
  read(events: readonly object[]): void {
    for (const event of events.slice(-SAMPLED_EVENTS)) this.eventBytes = mean(this.eventBytes, itemSize(event as Record<string, unknown>));
  }

  /** Learns the size of a snapshot read. */
  readSnapshot(snapshot: object): void {
    this.snapshotBytes = mean(this.snapshotBytes, itemSize(snapshot as Record<string, unknown>));
  }

  /** Where the latest snapshot of an aggregate at `version` lies (0: none yet). */
  private latestSnapshot(version: number): number {
    const { snapshotEvery } = this.options;
    return snapshotEvery > 0 ? Math.floor(version / snapshotEvery) * snapshotEvery : 0;
  }

  /** Before any event is read, a small one (an event of a few fields, its metadata included). */
  private eventSize(): number {
    return this.eventBytes ?? 200;
  }

  private snapshotSize(): number {
    return this.snapshotBytes ?? READ_UNIT_BYTES;
  }
}

const mean = (previous: number | undefined, value: number): number =>
  previous === undefined ? value : previous + SMOOTHING * (value - previous);
