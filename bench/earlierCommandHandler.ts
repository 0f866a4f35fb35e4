/**
 * The command handler as it was before conflicts carried the winner's event, before its pacing
 * on hot aggregates and before a repeated key was answered from what the command had read: kept
 * for the bench only, so its rows put today's behaviour beside the earlier one in the same run.
 * Not part of the package; nothing but the bench imports it.
 */
import { randomUUID } from "node:crypto";
import { Aggregate, LedgerEvent } from "../handlers/runtime/domain/domain";
import { InvalidCommandError } from "../handlers/runtime/domain/errors";
import { aggregateIdProblem } from "../handlers/runtime/domain/identity";
import { AggregateLoader } from "../handlers/runtime/ledger/aggregateLoader";
import { DEFAULT_IDEMPOTENCY_RETENTION_SECONDS, START_POLICIES, StartPolicy } from "../handlers/runtime/ledger/conventions";
import { CommitTooLargeError, IdempotencyKeyTakenError, VersionConflictError, VersionGapError } from "../handlers/runtime/ledger/errors";
import { saveSnapshots } from "../handlers/runtime/ledger/snapshots";
import { EventStore, SnapshotStore } from "../handlers/runtime/ledger/stores";
import { KeyedMutex } from "../handlers/runtime/support/keyedMutex";
import { RuntimeLogger, defaultLogger } from "../handlers/runtime/support/log";
import { positiveInteger } from "../handlers/runtime/support/options";
import { REMEMBERED_BYTES, RecentlyUsed, stateWeight } from "../handlers/runtime/support/recentlyUsed";
import { retry } from "../handlers/runtime/support/retry";
import { Attempt, Decide, attempt, decideMany, decideOne, decideReplay } from "../handlers/runtime/command/decision";
import { CommandRejectedError, RetriesExhaustedError } from "../handlers/runtime/command/errors";
import { IdempotencyKey } from "../handlers/runtime/command/idempotency";
import { CommandResult, ExecuteOptions, MultiCommandResult } from "../handlers/runtime/command/results";

interface CommandHandlerOptions {
  /**
   * Attempts before RetriesExhaustedError, the first included. Default 100. Under contention from
   * n processes a command wins a round with odds of about 1/n, so the budget is large and bounded
   * by time as well (`retryBudgetMs`): 16 processes on one aggregate all finish (contention bench).
   */
  maxAttempts?: number;
  /** Time after the first conflict within which a command keeps retrying, in ms. Default 10,000. */
  retryBudgetMs?: number;
  /**
   * Run commands on the same aggregate one after another within this handler, so writers in one
   * process never collide with each other (only other processes cause conflicts). Default true.
   */
  serializePerAggregate?: boolean;
  /** Save a snapshot at every multiple of this version (0 = never; the dispatcher usually does it). Default 0. */
  snapshotEvery?: number;
  /** Where snapshots are saved when `snapshotEvery` > 0. */
  snapshotStore?: SnapshotStore;
  /** How long an idempotency key answers repeats with the first result, in seconds. Default 86,400 (24 h). */
  idempotencyRetentionSeconds?: number;
  /** Event timestamps. Default: the system clock. */
  now?: () => Date;
  /**
   * Aggregates this handler remembers as its own commits and consistent reads left them, at most
   * this many (least recently used dropped first); a warm Lambda keeps them between invocations.
   * A remembered aggregate is a version the ledger holds, so a command starting from it needs
   * neither a snapshot nor a predecessor check. Default 1,000; 0 remembers none. Aggregates returned by `execute` and `query` are the remembered ones: treat them as
   * read-only, as `decide` and `reduce` must.
   */
  rememberedAggregates?: number;
  /** The most the remembered states may take together, as JSON, in bytes. Default 32 MB. */
  rememberedBytes?: number;
  /**
   * How a command starts: "read-first" (default) reads the ledger after its starting point before
   * deciding; "decide-first" decides on the remembered state, else the replica's row, at once (for
   * one process serving an aggregate's commands, or a current replica). See StartPolicy.
   */
  start?: StartPolicy;
  /** Where the handler logs. Default: JSON lines on standard error. */
  logger?: RuntimeLogger;
}

/**
 * Backoff between conflicting attempts: full jitter from 5 ms doubling to a 100 ms ceiling, so
 * contenders from several processes spread out instead of colliding again in lockstep. The
 * ceiling stays low: a growing one lets newcomers overtake long waiters (the capture effect).
 */
const CONFLICT_BACKOFF = { baseMs: 5, capMs: 100 };

/** A starting point the ledger does not hold (a replica row ahead of it, a memory of a restored ledger): start again from the ledger. */
class StartAgain extends Error {}

/**
 * Executes commands with optimistic concurrency: load (snapshot + catch-up), decide, append at
 * version + 1 with a commit id. On a version conflict it reads only the events it missed,
 * decides again on the fresher state and retries, up to `maxAttempts`. A write whose answer was
 * lost is recognised by its commit id, so a command is applied once and reported once.
 */
export class EarlierCommandHandler<S, C> {
  private readonly maxAttempts: number;
  private readonly retryBudgetMs: number;
  private readonly inProcess = new KeyedMutex();
  private readonly remembered: RecentlyUsed<string, Aggregate<S>>;
  private readonly log: RuntimeLogger;

  constructor(
    private readonly loader: AggregateLoader<S>,
    private readonly events: EventStore,
    private readonly options: CommandHandlerOptions = {},
  ) {
    this.log = options.logger ?? defaultLogger;
    this.maxAttempts = positiveInteger("maxAttempts", options.maxAttempts, 100);
    this.retryBudgetMs = positiveInteger("retryBudgetMs", options.retryBudgetMs, 10_000);
    positiveInteger("idempotencyRetentionSeconds", options.idempotencyRetentionSeconds, 1);
    positiveInteger("snapshotEvery", options.snapshotEvery, 0, { allowZero: true });
    this.remembered = new RecentlyUsed<string, Aggregate<S>>(
      positiveInteger("rememberedAggregates", options.rememberedAggregates, 1_000, { allowZero: true }),
      {
        weigh: stateWeight,
        maxWeight: positiveInteger("rememberedBytes", options.rememberedBytes, REMEMBERED_BYTES, { allowZero: true }),
      },
    );
    if (options.start !== undefined && !START_POLICIES.includes(options.start)) {
      throw new RangeError(`start must be "read-first" or "decide-first", got ${JSON.stringify(options.start)}`);
    }
  }

  /** Strongly consistent read of an aggregate: the same path a command takes. */
  async query(aggregateId: string, upTo?: number): Promise<Aggregate<S>> {
    if (upTo !== undefined && (!Number.isSafeInteger(upTo) || upTo < 0)) throw new RangeError(`upTo must be a version, got ${upTo}`);
    const id = requireAggregateId(aggregateId);
    if (upTo !== undefined) return this.loader.load(id, upTo);
    const remembered = this.remembered.get(id);
    if (remembered) return this.caughtUp(remembered);
    const loaded = await this.loader.load(id);
    this.remembered.set(id, loaded);
    return loaded;
  }

  async execute(aggregateId: string, command: C, options: ExecuteOptions = {}): Promise<CommandResult<S>> {
    const id = requireAggregateId(aggregateId);
    const result = await this.run([id], command, options, decideOne(this.loader.domain as never, id, command));
    return { ...result, aggregate: result.aggregates.get(id)! };
  }

  /**
   * A command over several aggregates (the domain's `decideMany`), all of whose events are
   * committed in one transaction or none. A conflict on any of them re-decides on fresher states.
   */
  async executeMany(aggregateIds: readonly string[], command: C, options: ExecuteOptions = {}): Promise<MultiCommandResult<S>> {
    const ids = [...new Set(aggregateIds.map(requireAggregateId))];
    return this.run(ids, command, options, decideMany(this.loader.domain as never, ids, command));
  }

  /**
   * Appends a replay event so projectors rewrite their rows from the latest aggregate;
   * `target` limits it to one projector. An aggregate with no event has nothing to replay. With an
   * idempotency key (e.g. one per target, generation and aggregate), a repeat appends nothing.
   */
  async replay(aggregateId: string, target?: string, options: ExecuteOptions = {}): Promise<CommandResult<S>> {
    const id = requireAggregateId(aggregateId);
    const result = await this.run([id], { replay: target ?? null }, options, decideReplay(id, target));
    return { ...result, aggregate: result.aggregates.get(id)! };
  }

  private run(ids: string[], command: unknown, options: ExecuteOptions, decide: Decide<S>): Promise<MultiCommandResult<S>> {
    const key = IdempotencyKey.of(options.idempotencyKey, "execute", ids, command, this.keyExpiry());
    const work = () => this.decideAndCommit(ids, key, decide);
    return this.options.serializePerAggregate === false ? work() : this.inProcess.run(ids, work);
  }

  /**
   * Decides on where the command starts and commits, until one commit wins: after a conflict it
   * reads only the events it missed and decides again, within the attempts and time budget.
   */
  private async decideAndCommit(ids: string[], key: IdempotencyKey | undefined, decide: Decide<S>): Promise<MultiCommandResult<S>> {
    const commitId = randomUUID();
    const starts = await Promise.all(ids.map((id) => this.start(id)));
    let aggregates = new Map(starts.map((start) => [start.aggregate.aggregateId, start.aggregate]));
    // Aggregates whose version the ledger is not known to hold (a replica's row, a remembered
    // state decided on unread): the append checks its predecessor.
    const unanchored = new Set(starts.filter((start) => !start.anchored).map((start) => start.aggregate.aggregateId));
    // Aggregates not read from the ledger in this command: the ledger may be ahead of them.
    const unread = new Set(starts.filter((start) => !start.read).map((start) => start.aggregate.aggregateId));
    const provenBy = (read: Iterable<string>) => [...read].forEach((id) => (unanchored.delete(id), unread.delete(id)));
    /** Reads the ledger's events after these aggregates' states onto them: their versions are then proven. */
    const catchUpOn = async (ids: readonly string[]) => {
      for (const id of ids) aggregates.set(id, await this.caughtUp(aggregates.get(id)!));
      provenBy(ids);
    };
    const stamping = () => ({
      commitId,
      timestamp: (this.options.now?.() ?? new Date()).toISOString(),
      snapshotEvery: this.options.snapshotEvery ?? 0,
    });
    /**
     * A replica or the memory may lag. The append's version condition guards what the decision
     * writes; everything else stands only on the ledger's state: a rejection, a refusal (decide
     * failing, a state that would be unsound, a commit too large) and what the decision reads but
     * writes nothing to. Catches those aggregates up and decides again until nothing is unguarded.
     */
    const onLedgerState = async (): Promise<Attempt<S>> => {
      for (;;) {
        const decided = attempt(this.loader.domain, aggregates, decide, stamping());
        const stale = [...unread].filter((id) => decided.kind !== "events" || (decided.decision.get(id)?.length ?? 0) === 0);
        if (stale.length === 0) return decided;
        await catchUpOn(stale);
      }
    };

    let attempts = 0;
    let pauseBeforeNext = false;
    /** One decision and its commit; a conflict (caught up on) or a start to redo is thrown for the next attempt. */
    const commitOnce = async (number: number): Promise<MultiCommandResult<S>> => {
      attempts = number;
      const decided = await onLedgerState();
      if (decided.kind === "refused") throw decided.error;
      if (decided.kind === "rejected") {
        const [first] = ids;
        const rejection = {
          aggregateId: first,
          version: aggregates.get(first)!.version,
          code: decided.rejection.code,
          detail: decided.rejection.detail,
        };
        const repeat = await key?.recordAlone(this.events, this.loader, commitId, { outcome: "rejected", rejection });
        if (repeat) return repeat;
        throw new CommandRejectedError(rejection.aggregateId, rejection.version, rejection.code, rejection.detail);
      }
      const { decision, events, after, due } = decided;
      if (events.length === 0) {
        // Nothing to write: the key still remembers it, so a repeat answers this, not a new decision.
        const versions = ids.map((id) => ({ aggregateId: id, version: aggregates.get(id)!.version }));
        const repeat = await key?.recordAlone(this.events, this.loader, commitId, { outcome: "unchanged", versions });
        return repeat ?? { aggregates, events, attempts: number, commitId };
      }
      const commits = [...decision.keys()]
        .filter((id) => after.get(id)!.version > aggregates.get(id)!.version)
        .map((id) => ({ aggregateId: id, fromVersion: aggregates.get(id)!.version + 1, toVersion: after.get(id)!.version }));
      try {
        // Versions read consistently from the ledger need no predecessor check; others do.
        await this.events.append(events, {
          commitId,
          predecessorsRead: unanchored.size === 0,
          idempotency: key?.record(commitId, { outcome: "committed", commits }),
        });
      } catch (error) {
        if (!(error instanceof VersionConflictError)) ids.forEach((id) => this.remembered.delete(id));
        if (error instanceof IdempotencyKeyTakenError) return key!.answerRepeat(error.record, this.loader);
        pauseBeforeNext = false;
        if (error instanceof VersionGapError && unanchored.size > 0) {
          this.log.warn("a starting point is ahead of the ledger; loading from the ledger", { aggregateId: error.aggregateId });
          aggregates = new Map(await Promise.all(ids.map(async (id) => [id, await this.loader.load(id)] as const)));
          provenBy(ids);
          throw new StartAgain("start again from the ledger", { cause: error });
        }
        // Too large for one commit on a state that may lag: decide again on the ledger's.
        if (error instanceof CommitTooLargeError && unread.size > 0) {
          await catchUpOn([...unread]);
          throw new StartAgain("decide again on the ledger's state", { cause: error });
        }
        if (!(error instanceof VersionConflictError)) throw error;
        const conflicted = ids.includes(error.aggregateId) ? [error.aggregateId] : ids;
        const caughtUp = new Map(aggregates);
        const missed: LedgerEvent[] = [];
        for (const id of conflicted) caughtUp.set(id, await this.caughtUp(aggregates.get(id)!, (_, event) => missed.push(event)));
        // Our own earlier send may have landed after all (its answer was a conflict with itself).
        const landed = await this.findOwnCommit(aggregates, caughtUp, missed, commitId);
        if (landed) return { ...landed, attempts: number };
        this.log.debug("version conflict, caught up", { aggregateId: error.aggregateId, attempt: number });
        // Retry at once after the first conflict; after repeated ones (or when the winner's
        // transaction is still in flight and nothing new is visible) back off with jitter.
        pauseBeforeNext = number > 1 || conflicted.every((id) => caughtUp.get(id)!.version === aggregates.get(id)!.version);
        aggregates = caughtUp;
        // The catch-up read each conflicted aggregate from its starting version on; others stay as they were.
        provenBy(conflicted);
        throw error;
      }
      // Only what the ledger proved: read from it, or written after a checked predecessor.
      for (const [id, aggregate] of after)
        if (!unanchored.has(id) || aggregate.version > aggregates.get(id)!.version) this.remembered.set(id, aggregate);
      if (due.length > 0 && this.options.snapshotStore) await saveSnapshots(this.options.snapshotStore, this.loader.domain, due, this.log);
      return { aggregates: after, events, attempts: number, commitId };
    };

    try {
      return await retry(commitOnce, {
        attempts: this.maxAttempts,
        withinMs: this.retryBudgetMs,
        backoff: CONFLICT_BACKOFF,
        shouldRetry: (error) => error instanceof VersionConflictError || error instanceof StartAgain,
        pauseAfter: () => pauseBeforeNext,
      });
    } catch (error) {
      if (!(error instanceof VersionConflictError || error instanceof StartAgain)) throw error;
      const conflict = error instanceof VersionConflictError ? error : (error.cause as { aggregateId?: string });
      const aggregateId = conflict.aggregateId ?? ids[0];
      throw new RetriesExhaustedError(aggregateId, attempts, aggregates.get(aggregateId)?.version ?? -1, { cause: error });
    }
  }

  /** The aggregate with the ledger's events after `from` folded on (read consistently), remembered as such. */
  private async caughtUp(from: Aggregate<S>, visit?: (aggregate: Aggregate<S>, event: LedgerEvent) => void): Promise<Aggregate<S>> {
    const latest = await this.loader.catchUp(from, undefined, visit);
    this.remembered.set(latest.aggregateId, latest);
    return latest;
  }

  /**
   * Where a command starts on one aggregate: the remembered aggregate (caught up, or as it is for
   * "decide-first"), else for "decide-first" the replica's row, else a load from the ledger; and
   * whether the ledger is known to hold that version (anchored) and was read up to now (read).
   * Decided on unread, the append checks the version is still the ledger's (a ledger restored to
   * an earlier version would otherwise get a gap after it).
   */
  private async start(id: string): Promise<{ aggregate: Aggregate<S>; anchored: boolean; read: boolean }> {
    const decideFirst = this.options.start === "decide-first";
    const remembered = this.remembered.get(id);
    if (remembered && decideFirst) return { aggregate: remembered, anchored: false, read: false };
    if (remembered) return { aggregate: await this.loader.catchUp(remembered), anchored: true, read: true };
    if (decideFirst && this.loader.followsLedger) return { aggregate: await this.loader.fromReplica(id), anchored: false, read: false };
    return { aggregate: await this.loader.load(id), anchored: true, read: true };
  }

  /** When the events a catch-up read carry our commit id, the commit landed: its result, else undefined. */
  private async findOwnCommit(
    before: ReadonlyMap<string, Aggregate<S>>,
    caughtUp: ReadonlyMap<string, Aggregate<S>>,
    missed: readonly LedgerEvent[],
    commitId: string,
  ) {
    const ours = missed.filter((event) => event.commitId === commitId);
    if (ours.length === 0) return undefined;
    const aggregates = new Map<string, Aggregate<S>>();
    for (const id of caughtUp.keys()) {
      const last = ours.filter((event) => event.aggregateId === id).at(-1);
      aggregates.set(id, last ? await this.loader.load(id, last.version) : before.get(id)!);
    }
    return { aggregates, events: ours, commitId };
  }

  /** When an idempotency record written now expires, in epoch seconds (DynamoDB TTL). */
  private keyExpiry(): number {
    const now = (this.options.now?.() ?? new Date()).getTime();
    return Math.floor(now / 1000) + (this.options.idempotencyRetentionSeconds ?? DEFAULT_IDEMPOTENCY_RETENTION_SECONDS);
  }
}

/** The id, checked before any request: an id the ledger cannot hold is the command's fault. */
const requireAggregateId = (aggregateId: string): string => {
  const problem = aggregateIdProblem(aggregateId);
  if (problem) throw new InvalidCommandError(problem);
  return aggregateId;
};
