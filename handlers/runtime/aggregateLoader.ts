import { Aggregate, Domain, LedgerEvent, validateEvent } from "./domain";
import { emptyAggregate, fold } from "./fold";
import { log } from "./log";
import { EventStore, Snapshot, SnapshotSource } from "./stores";

/**
 * Snapshot catch-up: an aggregate is the latest trusted snapshot plus a fold of only the
 * events after it, read consistently. Used by commands, strongly consistent queries and
 * the dispatcher alike.
 */
export class AggregateLoader<S> {
  constructor(
    readonly domain: Domain<S, unknown>,
    private readonly events: EventStore,
    private readonly snapshots?: SnapshotSource,
  ) {}

  /** The aggregate at `upTo` (the latest when omitted). */
  async load(aggregateId: string, upTo?: number): Promise<Aggregate<S>> {
    return this.catchUp(await this.startingPoint(aggregateId, upTo), upTo);
  }

  /**
   * The newest snapshot at or below `atOrBelow` made with the current schema, or the empty
   * aggregate. A snapshot of another schema version is ignored, not trusted.
   */
  async startingPoint(aggregateId: string, atOrBelow?: number): Promise<Aggregate<S>> {
    if (atOrBelow !== undefined && atOrBelow < 1) return emptyAggregate(this.domain, aggregateId);
    const snapshot = await this.snapshots?.latest(aggregateId, atOrBelow);
    return (snapshot && this.trusted(snapshot)) ?? emptyAggregate(this.domain, aggregateId);
  }

  /** The aggregate a snapshot holds, or undefined when it was made with another schema version. */
  trusted(snapshot: Snapshot): Aggregate<S> | undefined {
    if (snapshot.schemaVersion === this.domain.schemaVersion) {
      return { aggregateId: snapshot.aggregateId, version: snapshot.version, state: snapshot.state as S };
    }
    log.warn("ignoring snapshot of another schema version", {
      aggregateId: snapshot.aggregateId,
      version: snapshot.version,
      snapshotSchema: snapshot.schemaVersion,
      currentSchema: this.domain.schemaVersion,
    });
    return undefined;
  }

  /** Folds the events after `aggregate.version` (up to `upTo`) onto it. */
  async catchUp(
    aggregate: Aggregate<S>,
    upTo?: number,
    visit?: (aggregate: Aggregate<S>, event: LedgerEvent) => void,
  ): Promise<Aggregate<S>> {
    if (upTo !== undefined && upTo <= aggregate.version) return aggregate;
    const events = await this.readEvents(aggregate.aggregateId, aggregate.version, upTo);
    return fold(this.domain, aggregate, events, visit);
  }

  /** Validated events with `after < version <= upTo`. */
  async readEvents(aggregateId: string, after: number, upTo?: number): Promise<LedgerEvent[]> {
    const items = await this.events.read(aggregateId, after, upTo);
    return items.map((item) => validateEvent(this.domain, item));
  }
}
