import { Aggregate, Domain, LedgerEvent, validateEvent } from "../domain/domain";
import { VersionGapError } from "./errors";
import { emptyAggregate, fold } from "../domain/fold";
import { RuntimeLogger, defaultLogger } from "../support/log";
import { positiveInteger } from "../support/options";
import { RecentlyUsed } from "../support/recentlyUsed";
import { snapshotProblem } from "./snapshots";
import { StartCosts } from "./startCosts";
import { EventStore, Snapshot, SnapshotSource } from "./stores";

/** Bad snapshots skipped (each costing one more snapshot read) before folding from the start. */
const MAX_SNAPSHOT_FALLBACKS = 3;

/** Aggregates whose last seen version a loader remembers, to pick the cheapest start next time. */
const MAX_VERSION_HINTS = 10_000;

/** Told each event a read took from the ledger (validated), whether folded or not: a caller reusing them reads nothing twice. */
export type Seen = (event: LedgerEvent) => void;

export type StartStrategy = "adaptive" | "tail" | "parallel" | "sequential";

export interface AggregateLoaderOptions {
  /**
   * How a load finds its starting point when there is a snapshot source.
   * - "adaptive" (default): whichever of "tail" and "sequential" costs fewer read units, "tail" (one
   *   round trip) when they cost the same. For an aggregate seen before, at the version it was
   *   last seen; for one not seen yet, by what each would have cost the aggregates loaded for the
   *   first time so far (StartCosts). Young aggregates are read in one query, exactly what a plain
   *   fold costs; old ones from their snapshot, reading only the events after it.
   * - "tail": the ledger's last `tailSize` events first; only when they do not reach version 1,
   *   the snapshot at or below the last one.
   * - "parallel": the snapshot and the tail read side by side (one round trip, two requests).
   * - "sequential": the snapshot first, then exactly the events after it (fewest items).
   */
  start?: StartStrategy;
  /**
   * Events the tail read takes from the ledger's end. Default 200, twice the dispatcher's snapshot
   * interval: the latest snapshot lies inside it, and an aggregate the dispatcher has not yet
   * snapshotted is still read in one query.
   */
  tailSize?: number;
  /**
   * The interval the dispatcher takes snapshots at (its `snapshotEvery`): where the adaptive start
   * expects an aggregate's latest snapshot, to weigh the two starts. Default 100, the dispatcher's
   * default. 0: no snapshots are taken.
   */
  snapshotEvery?: number;
  /** Where the loader logs (a snapshot it does not trust). Default: JSON lines on standard error. */
  logger?: RuntimeLogger;
}

/**
 * Snapshot catch-up: an aggregate is the latest trusted snapshot plus a fold of only the
 * events after it, read consistently. Used by commands, strongly consistent queries and
 * the dispatcher alike. A snapshot is only a hint: one that is corrupt, of another schema,
 * or at a version the ledger never reached is ignored, and the ledger decides.
 */
export class AggregateLoader<S> {
  private readonly tailSize: number;
  private readonly versionHints = new RecentlyUsed<string, number>(MAX_VERSION_HINTS);
  private readonly costs: StartCosts;

  constructor(
    readonly domain: Domain<S, unknown>,
    private readonly events: EventStore,
    private readonly snapshots?: SnapshotSource,
    private readonly options: AggregateLoaderOptions = {},
  ) {
    this.tailSize = positiveInteger("tailSize", options.tailSize, 200);
    this.costs = new StartCosts({
      tailSize: this.tailSize,
      snapshotEvery: positiveInteger("snapshotEvery", options.snapshotEvery, 100, { allowZero: true }),
    });
  }

  /** The aggregate at `upTo` (the latest when omitted); `seen` gets every event the load read from the ledger. */
  async load(aggregateId: string, upTo?: number, seen?: Seen): Promise<Aggregate<S>> {
    const hint = upTo ?? this.versionHints.get(aggregateId);
    const strategy = this.strategyFor(hint);
    let loaded: Aggregate<S>;
    if (strategy === "sequential") loaded = await this.catchUp(await this.startingPoint(aggregateId, upTo), upTo, undefined, seen);
    else if (strategy === "parallel") {
      const [snapshot, tail] = await Promise.all([this.snapshots!.latest(aggregateId, upTo), this.readTail(aggregateId, upTo, seen)]);
      loaded = await this.join(aggregateId, tail, snapshot, seen);
    } else {
      const tail = await this.readTail(aggregateId, upTo, seen);
      const reachesStart = tail.length === 0 || tail[0].version === 1;
      loaded = await this.join(
        aggregateId,
        tail,
        reachesStart ? undefined : await this.snapshots!.latest(aggregateId, tail[tail.length - 1].version),
        seen,
      );
    }
    if (upTo === undefined) {
      if (hint === undefined) this.costs.loadedFirstTime(loaded.version);
      this.versionHints.set(aggregateId, loaded.version);
    }
    return loaded;
  }

  /** How a load starts, given the version the aggregate is expected at (undefined: never seen here). */
  private strategyFor(hint: number | undefined): Exclude<StartStrategy, "adaptive"> {
    if (!this.snapshots) return "sequential"; // no snapshot: one query from the first event
    const start = this.options.start ?? "adaptive";
    if (start !== "adaptive") return start;
    return this.costs.preferTail(hint) ? "tail" : "sequential";
  }

  private async readTail(aggregateId: string, upTo?: number, seen?: Seen): Promise<LedgerEvent[]> {
    const tail = (await this.events.readLatest(aggregateId, this.tailSize, upTo)).map((item) => validateEvent(this.domain, item));
    this.costs.read(tail);
    tail.forEach((event) => seen?.(event));
    return tail;
  }

  /** The aggregate from the ledger's tail and a snapshot (when the tail does not reach version 1). */
  private async join(aggregateId: string, tail: LedgerEvent[], snapshot?: Snapshot, seen?: Seen): Promise<Aggregate<S>> {
    if (tail.length === 0) return emptyAggregate(this.domain, aggregateId);
    const [lowest, last] = [tail[0].version, tail[tail.length - 1].version];
    if (lowest === 1) return fold(this.domain, emptyAggregate(this.domain, aggregateId), tail);
    // A snapshot past the tail's end is one the ledger never reached; an untrusted one is skipped
    // for the trusted one below it (one more snapshot read, on that rare path only).
    const trusted = snapshot && this.trusted(aggregateId, snapshot);
    const start =
      trusted && trusted.version <= last
        ? trusted
        : snapshot
          ? await this.startingPoint(aggregateId, Math.min(last, snapshot.version - 1))
          : emptyAggregate(this.domain, aggregateId);
    // The tail holds the starting point's own version: the proof the ledger reaches it, at no extra cost.
    if (start.version >= lowest)
      return fold(
        this.domain,
        start,
        tail.filter((event) => event.version > start.version),
      );
    // The starting point is older than the tail: read what lies between (with its version, as proof).
    return fold(this.domain, await this.catchUp(start, lowest - 1, undefined, seen), tail);
  }

  /** True when the snapshot source follows the ledger closely (a read replica). */
  get followsLedger(): boolean {
    return this.snapshots?.followsLedger === true;
  }

  /**
   * A decide-first command's starting point: the snapshot source's latest trusted state (a read
   * replica row) without reading the ledger at all. Unproven: the ledger may be ahead of it (the
   * append then conflicts and the command catches up) or, for a row that lies, behind it (the
   * append's predecessor check refuses it). Without a usable row, the empty aggregate: a new
   * aggregate's first append needs no read.
   */
  async fromReplica(aggregateId: string): Promise<Aggregate<S>> {
    const snapshot = await this.snapshots?.latest(aggregateId);
    return (snapshot && this.trusted(aggregateId, snapshot)) ?? emptyAggregate(this.domain, aggregateId);
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
    this.costs.readSnapshot(snapshot);
    const problem = snapshotProblem(this.domain, aggregateId, snapshot);
    if (problem === undefined) return { aggregateId, version: snapshot.version, state: snapshot.state as S };
    (this.options.logger ?? defaultLogger).warn("ignoring a snapshot that cannot be trusted", {
      aggregateId,
      version: snapshot.version,
      problem,
    });
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
    seen?: Seen,
  ): Promise<Aggregate<S>> {
    try {
      return fold(this.domain, from, await this.readEvents(from.aggregateId, from.version, upTo, seen), visit);
    } catch (error) {
      if (!(error instanceof VersionGapError) || from.version === 0) throw error;
      (this.options.logger ?? defaultLogger).warn("ignoring a starting point the ledger never reached", {
        aggregateId: from.aggregateId,
        version: from.version,
      });
      return this.catchUp(emptyAggregate(this.domain, from.aggregateId), upTo, visit, seen);
    }
  }

  /**
   * The aggregate one version on, from the ledger's item at `from.version + 1` as another request
   * returned it (a conflict's answer carries the winner's event): validated and folded, without a
   * read. Undefined for an item that is not that version of that aggregate.
   */
  followedBy(from: Aggregate<S>, item: Record<string, unknown>, seen?: Seen): Aggregate<S> | undefined {
    if (item.aggregateId !== from.aggregateId || item.version !== from.version + 1) return undefined;
    const event = validateEvent(this.domain, item);
    seen?.(event);
    return fold(this.domain, from, [event]);
  }

  /**
   * Validated events with `after < version <= upTo`. With `after` > 0 the event at `after` is read
   * too and must exist (VersionGapError otherwise): the proof that the ledger reaches it, which
   * `seen` gets as well (validated) beside the events returned.
   */
  async readEvents(aggregateId: string, after: number, upTo?: number, seen?: Seen): Promise<LedgerEvent[]> {
    if (upTo !== undefined && upTo < after) throw new RangeError(`cannot read up to version ${upTo} from version ${after}`);
    const anchored = after > 0;
    const items = await this.events.read(aggregateId, anchored ? after - 1 : after, upTo);
    if (anchored) {
      if (items[0]?.version !== after)
        throw new VersionGapError(aggregateId, after, "a starting point claims it but the ledger does not hold it");
      const anchor = items.shift()!;
      if (seen) seen(validateEvent(this.domain, anchor));
    }
    const events = items.map((item) => validateEvent(this.domain, item));
    this.costs.read(events);
    events.forEach((event) => seen?.(event));
    return events;
  }
}
