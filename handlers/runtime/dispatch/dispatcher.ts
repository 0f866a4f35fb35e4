import { AggregateLoader } from "../ledger/aggregateLoader";
import { BatchResponse } from "../support/batchResponse";
import { forEachLimit } from "../support/concurrency";
import { PUT_EVENTS_MAX_BYTES, detailTypeOf } from "../ledger/conventions";
import { DeadLetter, DeadLetterSink, PUBLICATION_LETTER_ORIGIN } from "../messages/deadLetters";
import { Aggregate, Domain, LedgerEvent, republishedVersions } from "../domain/domain";
import { InvalidEventError } from "../domain/errors";
import { InvalidDefinitionError } from "../support/errors";
import { emptyAggregate, fold } from "../domain/fold";
import { RuntimeLogger, defaultLogger } from "../support/log";
import { positiveInteger } from "../support/options";
import { REMEMBERED_BYTES, RecentlyUsed, stateWeight } from "../support/recentlyUsed";
import { StateCarriedMessage } from "../messages/stateCarried";
import { isSnapshotDue, saveSnapshots, toSnapshot } from "../ledger/snapshots";
import { SnapshotStore } from "../ledger/stores";
import { Publication, publish, requirePublications } from "../contracts/publication";
import { contractLabel, publishedDetailType } from "../contracts/contract";
import { BusEntry, entrySize } from "./batching";
import { Bus, PublishOptions, publishAll } from "./publisher";
import { ImageReader, StreamRecord, parseRecord } from "./streamRecords";

export interface DispatcherOptions<S> {
  domain: Domain<S, unknown>;
  /** Reads the ledger and the snapshots the fold starts from. */
  loader: AggregateLoader<S>;
  /** Where snapshots and claim checks are written. Without it, oversized aggregates are dead-lettered. */
  snapshots?: SnapshotStore;
  /** Take a snapshot at every multiple of this version (0 = never). Default 100. */
  snapshotEvery?: number;
  bus: Bus;
  deadLetters: DeadLetterSink;
  /** EventBridge source of every entry: the service name. */
  source: string;
  /**
   * What the service publishes for others: for every event folded (replays aside), each publication's
   * public event is sent beside the state-carried message, in the same PutEvents batches, its payload
   * checked against the contract's schema first. One whose mapping fails, or whose payload fails the
   * schema, is dead-lettered with its record and the reason. Each contract's service must be `source`.
   * Default none.
   */
  publications?: readonly Publication[];
  publish?: PublishOptions;
  /** Largest entry sent to the bus; larger aggregates travel by reference. Default and most 256 KB (a PutEvents request). */
  maxEntryBytes?: number;
  /** Aggregates folded at once. Default 8. */
  concurrency?: number;
  /**
   * Find starting points with one BatchGetItem per 100 aggregates, none for an aggregate too young
   * to have a snapshot. Default true; false looks each one up with its own query (the
   * behaviour, kept so the bench can measure both in one run).
   */
  prefetchSnapshots?: boolean;
  /**
   * Aggregates this dispatcher remembers as it folded them last, at most this many. When a batch
   * continues one (its versions follow the remembered one without a gap), it is folded from the
   * records themselves: no snapshot lookup and no ledger query. Anything else (a gap, a retried
   * batch, an aggregate not remembered) reads the ledger. Default 1,000; 0 always reads.
   */
  rememberedAggregates?: number;
  /** The most the remembered states may take together, as JSON, in bytes. Default 32 MB. */
  rememberedBytes?: number;
  /** Reads a record's new image (DynamoDB's attribute-value format) as a plain item: the AWS adapters' `unmarshallImage`. */
  unmarshall: ImageReader;
  /** Where the dispatcher logs. Default: JSON lines on standard error. */
  logger?: RuntimeLogger;
}

/** The stream records Lambda must retry (their sequence numbers), and what the batch did. */
export interface DispatchReport extends BatchResponse {
  /** Entries the bus accepted: state-carried messages and public events. */
  published: number;
  /** Of those, public events (a contract's PublishedEvent). */
  publishedPublic: number;
  /** Entries the bus still refused after every attempt (their records are retried). */
  refused: number;
  /** Entries sent again after the bus refused them. */
  resent: number;
  byReference: number;
  deadLettered: number;
  snapshots: number;
}

/** One event to publish and the stream records (duplicates included) it answers for. */
interface Outgoing extends BusEntry {
  recordIds: string[];
  /** A contract's public event rather than a state-carried message. */
  isPublic?: boolean;
}

const ORIGIN = "dispatcher";

/**
 * The AggregateDispatcher's logic: for a batch of ledger stream records, fold each
 * aggregate once from its latest snapshot (one ledger query per aggregate, never trusting
 * stream order) and publish one state-carried message per event, and the public events its
 * publications map the event to.
 */
export class Dispatcher<S> {
  private readonly snapshotEvery: number;
  private readonly maxEntryBytes: number;
  private readonly concurrency: number;
  private readonly lastFolded: RecentlyUsed<string, Aggregate<S>>;
  private readonly log: RuntimeLogger;
  private readonly publications: readonly Publication[];

  constructor(private readonly options: DispatcherOptions<S>) {
    this.log = options.logger ?? defaultLogger;
    this.publications = requirePublications(options.publications ?? [], options.domain as Domain<unknown, unknown>);
    for (const { contract } of this.publications)
      if (contract.service !== options.source)
        throw new InvalidDefinitionError(
          `the publication of ${contractLabel(contract)}`,
          `names service "${contract.service}", but this dispatcher publishes as "${options.source}" (a contract's service is its events' source)`,
        );
    this.snapshotEvery = positiveInteger("snapshotEvery", options.snapshotEvery, 100, { allowZero: true });
    this.maxEntryBytes = positiveInteger("maxEntryBytes", options.maxEntryBytes, PUT_EVENTS_MAX_BYTES);
    // PutEvents requests are cut to 256 KB: a larger entry would fail the whole batch at every retry.
    if (this.maxEntryBytes > PUT_EVENTS_MAX_BYTES)
      throw new RangeError(`maxEntryBytes must be at most ${PUT_EVENTS_MAX_BYTES} (a PutEvents request), got ${this.maxEntryBytes}`);
    this.concurrency = positiveInteger("concurrency", options.concurrency, 8);
    this.lastFolded = new RecentlyUsed<string, Aggregate<S>>(
      positiveInteger("rememberedAggregates", options.rememberedAggregates, 1_000, { allowZero: true }),
      {
        weigh: stateWeight,
        maxWeight: positiveInteger("rememberedBytes", options.rememberedBytes, REMEMBERED_BYTES, { allowZero: true }),
      },
    );
    positiveInteger("publish.maxAttempts", options.publish?.maxAttempts, 4);
    positiveInteger("publish.backoffMs", options.publish?.backoffMs, 50, { allowZero: true });
  }

  async dispatch(records: readonly StreamRecord[]): Promise<DispatchReport> {
    const failed = new Set<string>();
    const letters: { letter: DeadLetter; recordIds: string[] }[] = [];
    const deadLetter = (reason: string, input: unknown, recordIds: string[], origin = ORIGIN) =>
      letters.push({ letter: { reason, origin, input }, recordIds });

    // Group by aggregate, then by version: duplicates of one event are published once.
    const groups = new Map<string, Map<number, { event: LedgerEvent; recordIds: string[]; records: StreamRecord[] }>>();
    for (const record of records) {
      if (record.eventName !== undefined && record.eventName !== "INSERT") continue;
      const parsed = parseRecord(this.options.domain, record, this.options.unmarshall);
      if (!parsed.ok) {
        deadLetter(parsed.reason, record, [parsed.id]);
        continue;
      }
      const byVersion = groups.get(parsed.event.aggregateId) ?? new Map();
      groups.set(parsed.event.aggregateId, byVersion);
      const seen = byVersion.get(parsed.event.version);
      if (seen) {
        seen.recordIds.push(parsed.id);
        seen.records.push(record);
      } else byVersion.set(parsed.event.version, { event: parsed.event, recordIds: [parsed.id], records: [record] });
    }

    const outgoing: Outgoing[] = [];
    const dueSnapshots: Aggregate<S>[] = [];
    let byReference = 0;
    // Replays asking for earlier versions' public events again: those aggregates fold from the ledger, from before the oldest.
    const republished = new Map<string, number[]>();
    for (const [aggregateId, byVersion] of groups)
      for (const { event } of byVersion.values()) {
        const versions = republishedVersions(event);
        if (versions) republished.set(aggregateId, [...(republished.get(aggregateId) ?? []), ...versions]);
      }
    const continued = this.continuedAggregates(groups, republished);
    // Neither a continued aggregate nor one folding from before a republished version starts from the prefetched snapshot.
    const starts = await this.prefetchStartingPoints(groups, new Set([...continued.keys(), ...republished.keys()]));
    await forEachLimit([...groups], this.concurrency, async ([aggregateId, byVersion]) => {
      const allRecordIds = [...byVersion.values()].flatMap((wanted) => wanted.recordIds);
      try {
        const remembered = continued.get(aggregateId);
        const earlier = republished.get(aggregateId);
        const folded = remembered
          ? this.foldRecords(
              remembered,
              [...byVersion.values()].map((wanted) => wanted.event),
            )
          : earlier
            ? await this.foldVersions(aggregateId, [...byVersion.keys(), ...earlier])
            : await this.foldVersions(aggregateId, [...byVersion.keys()], starts.get(aggregateId));
        dueSnapshots.push(...folded.due);
        for (const [version, wanted] of byVersion) {
          const { aggregate, event } = folded.states.get(version)!;
          const again = republishedVersions(event);
          if (again) {
            // No projector takes this replay: what it carries is the public events of the versions it names.
            const problems: string[] = [];
            for (const earlierVersion of again) {
              const state = folded.states.get(earlierVersion)!;
              const publicEvents = this.publicEntries(state.aggregate, state.event, wanted.recordIds);
              outgoing.push(...publicEvents.entries);
              problems.push(...publicEvents.problems);
            }
            if (problems.length > 0) deadLetter(problems.join("; "), wanted.records, wanted.recordIds, PUBLICATION_LETTER_ORIGIN);
            continue;
          }
          const entry = await this.toEntry(aggregate, event, wanted.recordIds);
          const publicEvents = this.publicEntries(aggregate, event, wanted.recordIds);
          if (typeof entry !== "string") {
            if (entry.byReference) byReference += 1;
            outgoing.push(entry);
          }
          outgoing.push(...publicEvents.entries);
          // What cannot be sent is the record's failure; what can is sent all the same (projectors and subscribers apart).
          if (typeof entry === "string") deadLetter(entry, wanted.records, wanted.recordIds);
          if (publicEvents.problems.length > 0)
            deadLetter(publicEvents.problems.join("; "), wanted.records, wanted.recordIds, PUBLICATION_LETTER_ORIGIN);
        }
      } catch (error) {
        if (error instanceof InvalidEventError) {
          // The ledger itself holds an event the domain cannot read: retrying cannot help.
          deadLetter(
            `cannot fold aggregate "${aggregateId}": ${error.message}`,
            [...byVersion.values()].flatMap((w) => w.records),
            allRecordIds,
          );
        } else {
          this.log.error("dispatch failed for aggregate, records will be retried", { aggregateId, error });
          allRecordIds.forEach((id) => failed.add(id));
        }
      }
    });

    const { failed: unpublished, resent } = await publishAll(this.options.bus, outgoing, this.options.publish);
    for (const { entry, error } of unpublished) {
      this.log.error("event not published after retries", { detailType: entry.detailType, error });
      entry.recordIds.forEach((id) => failed.add(id));
    }

    const unsent = letters.length > 0 ? await this.options.deadLetters.send(letters.map((item) => item.letter)) : [];
    for (const item of letters) {
      this.log.warn("record sent to the dead-letter queue", { reason: item.letter.reason, recordIds: item.recordIds });
      if (unsent.includes(item.letter)) item.recordIds.forEach((id) => failed.add(id));
    }

    const snapshots = this.options.snapshots ? await saveSnapshots(this.options.snapshots, this.options.domain, dueSnapshots) : 0;
    const publicSent = outgoing.filter((entry) => entry.isPublic).length - unpublished.filter(({ entry }) => entry.isPublic).length;
    return {
      batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })),
      published: outgoing.length - unpublished.length,
      publishedPublic: publicSent,
      refused: unpublished.length,
      resent,
      byReference,
      deadLettered: letters.length - unsent.length,
      snapshots,
    };
  }

  /**
   * Snapshots are taken at multiples of snapshotEvery, so the one each aggregate folds from is
   * known in advance: one BatchGetItem fetches up to 100 of them, and an aggregate whose batch
   * starts before the first multiple has none to look up (it folds from its first event).
   * Aggregates whose snapshot is missing or untrusted fall back to the per-aggregate query.
   */
  private async prefetchStartingPoints(
    groups: Map<string, Map<number, unknown>>,
    notNeeded: ReadonlySet<string>,
  ): Promise<Map<string, Aggregate<S>>> {
    const starts = new Map<string, Aggregate<S>>();
    if (!this.options.snapshots || this.snapshotEvery <= 0 || this.options.prefetchSnapshots === false) return starts;
    const wanted: { aggregateId: string; version: number }[] = [];
    for (const [aggregateId, byVersion] of groups) {
      if (notNeeded.has(aggregateId)) continue;
      const version = Math.floor((Math.min(...byVersion.keys()) - 1) / this.snapshotEvery) * this.snapshotEvery;
      if (version > 0) wanted.push({ aggregateId, version });
      else starts.set(aggregateId, emptyAggregate(this.options.domain, aggregateId));
    }
    if (wanted.length === 0) return starts;
    try {
      for (const snapshot of await this.options.snapshots.getMany(wanted)) {
        const start = this.options.loader.trusted(snapshot.aggregateId, snapshot);
        if (start) starts.set(snapshot.aggregateId, start);
      }
    } catch (error) {
      this.log.warn("snapshot prefetch failed, falling back to one query per aggregate", { error });
    }
    return starts;
  }

  /**
   * The remembered aggregates each batch continues: its versions are exactly the ones after the
   * remembered version. Stream order is not trusted, only this: the ledger writes each version
   * once, so the records are the ledger's own events after the remembered state.
   */
  private continuedAggregates(
    groups: Map<string, Map<number, unknown>>,
    republished: ReadonlyMap<string, unknown>,
  ): Map<string, Aggregate<S>> {
    const continued = new Map<string, Aggregate<S>>();
    for (const [aggregateId, byVersion] of groups) {
      if (republished.has(aggregateId)) continue;
      const remembered = this.lastFolded.get(aggregateId);
      if (!remembered) continue;
      const versions = [...byVersion.keys()];
      const follows = Math.min(...versions) === remembered.version + 1 && Math.max(...versions) === remembered.version + versions.length;
      if (follows) continued.set(aggregateId, remembered);
    }
    return continued;
  }

  /** The aggregate at each wanted version, from a snapshot (prefetched or queried) and one ledger query. */
  private async foldVersions(aggregateId: string, versions: number[], prefetched?: Aggregate<S>) {
    const wanted = new Set(versions);
    const lowest = Math.min(...versions);
    const highest = Math.max(...versions);
    const start = prefetched ?? (await this.options.loader.startingPoint(aggregateId, lowest - 1));
    const folded = this.visitor(wanted);
    const end = await this.options.loader.catchUp(start, highest, folded.visit);
    if (end.version < highest) {
      throw new Error(`the ledger has no version ${highest} of aggregate "${aggregateId}" yet (read up to ${end.version})`);
    }
    this.lastFolded.set(aggregateId, end);
    return folded;
  }

  /** The aggregate at each version of a batch that continues a remembered one: folded from the records alone. */
  private foldRecords(remembered: Aggregate<S>, events: LedgerEvent[]) {
    const folded = this.visitor(new Set(events.map((event) => event.version)));
    const end = fold(
      this.options.domain,
      remembered,
      [...events].sort((a, b) => a.version - b.version),
      folded.visit,
    );
    this.lastFolded.set(remembered.aggregateId, end);
    return folded;
  }

  /** Collects the states at the wanted versions and the snapshots due along a fold. */
  private visitor(wanted: ReadonlySet<number>) {
    const states = new Map<number, { aggregate: Aggregate<S>; event: LedgerEvent }>();
    const due: Aggregate<S>[] = [];
    const visit = (aggregate: Aggregate<S>, event: LedgerEvent) => {
      if (wanted.has(aggregate.version)) states.set(aggregate.version, { aggregate, event });
      if (isSnapshotDue(aggregate.version, this.snapshotEvery)) due.push(aggregate);
    };
    return { states, due, visit };
  }

  /** The public events the publications make of one event, and why any of them cannot be sent. */
  private publicEntries(aggregate: Aggregate<S>, event: LedgerEvent, recordIds: string[]): { entries: Outgoing[]; problems: string[] } {
    const entries: Outgoing[] = [];
    const problems: string[] = [];
    for (const publication of this.publications) {
      const { published, problem } = publish(publication, event, aggregate.state);
      if (problem) problems.push(problem);
      if (!published) continue;
      const entry: Outgoing = {
        source: publication.contract.service,
        detailType: publishedDetailType(publication.contract, published.type),
        detail: JSON.stringify(published),
        recordIds,
        isPublic: true,
      };
      const size = entrySize(entry);
      if (size <= this.maxEntryBytes) entries.push(entry);
      else
        problems.push(
          `${entry.detailType} of aggregate "${event.aggregateId}" at version ${event.version} is ${size} bytes, more than the ${this.maxEntryBytes} a bus entry may have`,
        );
    }
    return { entries, problems };
  }

  /** The bus entry for one event, by reference when the aggregate is too large; a string says why it cannot be sent. */
  private async toEntry(
    aggregate: Aggregate<S>,
    event: LedgerEvent,
    recordIds: string[],
  ): Promise<(Outgoing & { byReference: boolean }) | string> {
    const { domain, source, snapshots } = this.options;
    const message: StateCarriedMessage = {
      schemaVersion: domain.schemaVersion,
      event,
      aggregate: { version: aggregate.version, state: aggregate.state },
    };
    const entry = { source, detailType: detailTypeOf(event.type), detail: JSON.stringify(message), recordIds, byReference: false };
    if (entrySize(entry) <= this.maxEntryBytes) return entry;
    if (!snapshots)
      return `aggregate "${aggregate.aggregateId}" at version ${aggregate.version} exceeds ${this.maxEntryBytes} bytes and no snapshot store is configured for a claim check`;
    // Claim check: the snapshot at exactly this version is the aggregate the projector fetches.
    await snapshots.save(toSnapshot(domain, aggregate));
    const reference: StateCarriedMessage = {
      schemaVersion: domain.schemaVersion,
      event,
      aggregateRef: { aggregateId: aggregate.aggregateId, version: aggregate.version },
    };
    const small = { ...entry, detail: JSON.stringify(reference), byReference: true };
    if (entrySize(small) <= this.maxEntryBytes) return small;
    return `event "${event.type}" of aggregate "${aggregate.aggregateId}" at version ${event.version} exceeds ${this.maxEntryBytes} bytes even without its aggregate`;
  }
}
