import { Aggregate, Domain, LedgerEvent, validateEvent } from "./domain";
import { VersionGapError } from "./errors";
import { emptyAggregate, fold } from "./fold";
import { log } from "./log";
import { positiveInteger } from "./options";
import { snapshotProblem } from "./snapshots";
import { EventStore, Snapshot, SnapshotSource } from "./stores";

/** Bad snapshots skipped (each costing one more snapshot read) before folding from the start. */
const MAX_SNAPSHOT_FALLBACKS = 3;

export interface AggregateLoaderOptions {
  /**
   * How a load finds its starting point when there is a snapshot source.
   * "parallel" (default): the latest snapshot and the ledger's last `tailSize` events are read at
   * once and joined, so an aggregate whose history (or whose events since its snapshot) fit in
   * the tail costs one round trip: never slower than a plain fold of a young aggregate.
   * "sequential": the snapshot first, then exactly the events after it (fewest items, two round trips).
   */
  start?: "parallel" | "sequential";
  /** Events the parallel start reads from the ledger's end. Default 100: the dispatcher's snapshot interval, so the latest snapshot is inside it. */
  tailSize?: number;
}

/**
 * Snapshot catch-up: an aggregate is the latest trusted snapshot plus a fold of only the
 * events after it, read consistently. Used by commands, strongly consistent queries and
 * the dispatcher alike. A snapshot is only a hint: one that is corrupt, of another schema,
 * or at a version the ledger never reached is ignored, and the ledger decides.
 */
export class AggregateLoader<S> {
  private readonly tailSize: number;

  constructor(
    readonly domain: Domain<S, unknown>,
    private readonly events: EventStore,
    private readonly snapshots?: SnapshotSource,
    private readonly options: AggregateLoaderOptions = {},
  ) {
    this.tailSize = positiveInteger("tailSize", options.tailSize, 100);
  }

  /** The aggregate at `upTo` (the latest when omitted). */
  async load(aggregateId: string, upTo?: number): Promise<Aggregate<S>> {
    if (!this.snapshots || this.options.start === "sequential") return this.catchUp(await this.startingPoint(aggregateId, upTo), upTo);
    const [snapshot, tailItems] = await Promise.all([this.snapshots.latest(aggregateId, upTo), this.events.readLatest(aggregateId, this.tailSize, upTo)]);
    const tail = tailItems.map((item) => validateEvent(this.domain, item));
    if (tail.length === 0) return emptyAggregate(this.domain, aggregateId);
    const [lowest, last] = [tail[0].version, tail[tail.length - 1].version];
    if (lowest === 1) return fold(this.domain, emptyAggregate(this.domain, aggregateId), tail);
    // A snapshot past the tail's end is one the ledger never reached; an untrusted one is skipped
    // for the trusted one below it (one more snapshot read, on that rare path only).
    const trusted = snapshot && this.trusted(aggregateId, snapshot);
    const start = trusted && trusted.version <= last ? trusted
      : snapshot ? await this.startingPoint(aggregateId, Math.min(last, snapshot.version - 1))
      : emptyAggregate(this.domain, aggregateId);
    // The tail holds the starting point's own version: the proof the ledger reaches it, at no extra cost.
    if (start.version >= lowest) return fold(this.domain, start, tail.filter((event) => event.version > start.version));
    // The starting point is older than the tail: read what lies between (with its version, as proof).
    return fold(this.domain, await this.catchUp(start, lowest - 1), tail);
  }

  /**
   * The newest trusted snapshot at or below `atOrBelow`, or the empty aggregate. An untrusted
   * one is skipped for the one below it, a few times, then the fold starts from nothing.
   */
  async startingPoint(aggregateId: string, atOrBelow?: number): Promise<Aggregate<S>> {
    let bound = atOrBelow;
    for (let tries = 0; this.snapshots && tries < MAX_SNAPSHOT_FALLBACKS && (bound === undefined || bound >= 1); tries += 1) {
      const snapshot = await this.snapshots.latest(aggregateId, bound);
      if (!snapshot) break;
      const trusted = this.trusted(aggregateId, snapshot);
      if (trusted) return trusted;
      bound = Number.isSafeInteger(snapshot.version) ? snapshot.version - 1 : undefined;
      if (bound === undefined) break;
    }
    return emptyAggregate(this.domain, aggregateId);
  }

  /** The aggregate a snapshot holds, or undefined (with a warning) when it cannot be trusted. */
  trusted(aggregateId: string, snapshot: Snapshot): Aggregate<S> | undefined {
    const problem = snapshotProblem(this.domain, aggregateId, snapshot);
    if (problem === undefined) return { aggregateId, version: snapshot.version, state: snapshot.state as S };
    log.warn("ignoring a snapshot that cannot be trusted", { aggregateId, version: snapshot.version, problem });
    return undefined;
  }

  /**
   * Folds the events after `from.version` (up to `upTo`) onto it. The read includes `from`'s own
   * version, at no extra request: a starting point the ledger never reached is dropped, with a
   * warning, for a fold from the first event, so no command ever appends after a gap.
   */
  async catchUp(
    from: Aggregate<S>,
    upTo?: number,
    visit?: (aggregate: Aggregate<S>, event: LedgerEvent) => void,
  ): Promise<Aggregate<S>> {
    try {
      return fold(this.domain, from, await this.readEvents(from.aggregateId, from.version, upTo), visit);
    } catch (error) {
      if (!(error instanceof VersionGapError) || from.version === 0) throw error;
      log.warn("ignoring a starting point the ledger never reached", { aggregateId: from.aggregateId, version: from.version });
      return this.catchUp(emptyAggregate(this.domain, from.aggregateId), upTo, visit);
    }
  }

  /**
   * Validated events with `after < version <= upTo`. With `after` > 0 the event at `after` is read
   * too and must exist (VersionGapError otherwise): the proof that the ledger reaches it.
   */
  async readEvents(aggregateId: string, after: number, upTo?: number): Promise<LedgerEvent[]> {
    if (upTo !== undefined && upTo < after) throw new RangeError(`cannot read up to version ${upTo} from version ${after}`);
    const anchored = after > 0;
    const items = await this.events.read(aggregateId, anchored ? after - 1 : after, upTo);
    if (anchored) {
      if (items[0]?.version !== after) throw new VersionGapError(aggregateId, after, "a starting point claims it but the ledger does not hold it");
      items.shift();
    }
    return items.map((item) => validateEvent(this.domain, item));
  }
}
