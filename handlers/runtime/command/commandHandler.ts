import { randomUUID } from "node:crypto";
import { Aggregate, LedgerEvent } from "../domain/domain";
import { InvalidCommandError, InvalidEventError } from "../domain/errors";
import { DYNAMODB_LIMITS } from "../domain/storable";
import { aggregateIdProblem } from "../domain/identity";
import { AggregateLoader, Seen } from "../ledger/aggregateLoader";
import { DEFAULT_IDEMPOTENCY_RETENTION_SECONDS, DEFAULT_START_POLICY, StartPolicy, requireStartPolicy } from "../ledger/conventions";
import { CommitTooLargeError, IdempotencyKeyTakenError, VersionConflictError, VersionGapError } from "../ledger/errors";
import { saveSnapshots } from "../ledger/snapshots";
import { EventStore, SnapshotStore } from "../ledger/stores";
import { KeyedMutex } from "../support/keyedMutex";
import { RuntimeLogger, defaultLogger } from "../support/log";
import { positiveInteger } from "../support/options";
import { REMEMBERED_BYTES } from "../support/recentlyUsed";
import { RememberedAggregates } from "./rememberedAggregates";
import { backoffDelay, retry } from "../support/retry";
import { setTimeout as sleep } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import { Attempt, Decide, attempt, decideMany, decideOne, decideReplay, decideRepublish } from "./decision";
import { ContentionPacing } from "./contention";
import { CommandRejectedError, RetriesExhaustedError } from "./errors";
import { IdempotencyKey, KeyedOperation, KnownReads } from "./idempotency";
import { CommandResult, ExecuteOptions, MultiCommandResult } from "./results";

export { CommandResult, ExecuteOptions, MultiCommandResult } from "./results";

export interface CommandHandlerOptions {
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
   * no snapshot, and one the ledger proved within the last second no read and no predecessor check. Default 1,000; 0 remembers none. Aggregates returned by `execute` and `query` are the remembered ones: treat them as
   * read-only, as `decide` and `reduce` must.
   */
  rememberedAggregates?: number;
  /** The most the remembered states may take together, as JSON, in bytes. Default 32 MB. */
  rememberedBytes?: number;
  /**
   * How a command starts: "memory-first" (default) decides at once on a remembered aggregate the
   * ledger proved within the last second, else reads first; "read-first" always reads the ledger
   * after its starting point before deciding; "decide-first" decides on the remembered state
   * however old, else the replica's row, at once (for one process serving an aggregate's commands,
   * or a current replica). See StartPolicy.
   */
  start?: StartPolicy;
  /** Where the handler logs. Default: JSON lines on standard error. */
  logger?: RuntimeLogger;
}

/** The pause while a winner's transaction is still in flight (a conflict with nothing new to read yet): full jitter from 5 ms to 100 ms. */
const CONFLICT_BACKOFF = { baseMs: 5, capMs: 100 };

/** The most versions one republish asks for (a dispatcher letter names one batch's records). */
const MAX_REPUBLISHED_VERSIONS = 1_000;

/** A starting point the ledger does not hold (a replica row ahead of it, a memory of a restored ledger): start again from the ledger. */
class StartAgain extends Error {}

/**
 * Executes commands with optimistic concurrency: load (snapshot + catch-up), decide, append at
 * version + 1 with a commit id. On a version conflict it reads only the events it missed,
 * decides again on the fresher state and retries, up to `maxAttempts`. A write whose answer was
 * lost is recognised by its commit id, so a command is applied once and reported once.
 */
export class CommandHandler<S, C> {
  private readonly maxAttempts: number;
  private readonly retryBudgetMs: number;
  private readonly inProcess = new KeyedMutex();
  private readonly pacing = new ContentionPacing();
  private readonly remembered: RememberedAggregates<S>;
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
    this.remembered = new RememberedAggregates<S>(
      positiveInteger("rememberedAggregates", options.rememberedAggregates, 1_000, { allowZero: true }),
      positiveInteger("rememberedBytes", options.rememberedBytes, REMEMBERED_BYTES, { allowZero: true }),
      () => this.clock(),
    );
    if (options.start !== undefined) requireStartPolicy(options.start);
  }

  /** The handler's clock in ms: the one event timestamps come from. */
  private clock(): number {
    return (this.options.now?.() ?? new Date()).getTime();
  }

  /** Strongly consistent read of an aggregate: the same path a command takes. */
  async query(aggregateId: string, upTo?: number): Promise<Aggregate<S>> {
    if (upTo !== undefined && (!Number.isSafeInteger(upTo) || upTo < 0)) throw new RangeError(`upTo must be a version, got ${upTo}`);
    const id = requireAggregateId(aggregateId);
    if (upTo !== undefined) return this.loader.load(id, upTo);
    try {
      const remembered = this.remembered.get(id);
      if (remembered) return await this.caughtUp(remembered);
      const loaded = await this.loader.load(id);
      this.remembered.proven(loaded);
      return loaded;
    } catch (error) {
      return this.forgetAllIfTableGone(error);
    }
  }

  async execute(aggregateId: string, command: C, options: ExecuteOptions = {}): Promise<CommandResult<S>> {
    const id = requireAggregateId(aggregateId);
    const result = await this.run("execute", [id], command, options, decideOne(this.loader.domain as never, id, command));
    return { ...result, aggregate: result.aggregates.get(id)! };
  }

  /**
   * A command over several aggregates (the domain's `decideMany`), all of whose events are
   * committed in one transaction or none. A conflict on any of them re-decides on fresher states.
   */
  async executeMany(aggregateIds: readonly string[], command: C, options: ExecuteOptions = {}): Promise<MultiCommandResult<S>> {
    const ids = [...new Set(aggregateIds.map(requireAggregateId))];
    // Each aggregate is loaded before deciding; one transaction holds at most this many items.
    if (ids.length > DYNAMODB_LIMITS.transactionItems)
      throw new InvalidCommandError(
        `a command spans at most ${DYNAMODB_LIMITS.transactionItems} aggregates (one transaction), got ${ids.length}`,
        ids[0],
      );
    return this.run("executeMany", ids, command, options, decideMany(this.loader.domain as never, ids, command));
  }

  /**
   * Appends a replay event so projectors rewrite their rows from the latest aggregate;
   * `target` limits it to one projector. An aggregate with no event has nothing to replay. With an
   * idempotency key (e.g. one per target, generation and aggregate), a repeat appends nothing.
   */
  async replay(aggregateId: string, target?: string, options: ExecuteOptions = {}): Promise<CommandResult<S>> {
    const id = requireAggregateId(aggregateId);
    const result = await this.run("replay", [id], { replay: target ?? null }, options, decideReplay(id, target));
    return { ...result, aggregate: result.aggregates.get(id)! };
  }

  /**
   * Appends a replay event asking the dispatcher to publish the public events of these versions of
   * the aggregate again (their publication failed, and was fixed): no projector takes it. With an
   * idempotency key, a repeat appends nothing.
   */
  async republish(aggregateId: string, versions: readonly number[], options: ExecuteOptions = {}): Promise<CommandResult<S>> {
    const id = requireAggregateId(aggregateId);
    if (!Array.isArray(versions) || versions.length === 0 || !versions.every((version) => Number.isSafeInteger(version) && version > 0))
      throw new InvalidCommandError("the versions to publish again must be a non-empty list of positive integers", id);
    if (versions.length > MAX_REPUBLISHED_VERSIONS)
      throw new InvalidCommandError(`at most ${MAX_REPUBLISHED_VERSIONS} versions are published again at once, got ${versions.length}`, id);
    const wanted = [...new Set(versions)].sort((a, b) => a - b);
    const result = await this.run("replay", [id], { republish: wanted }, options, decideRepublish(id, wanted));
    return { ...result, aggregate: result.aggregates.get(id)! };
  }

  private run(
    operation: KeyedOperation,
    ids: string[],
    command: unknown,
    options: ExecuteOptions,
    decide: Decide<S>,
  ): Promise<MultiCommandResult<S>> {
    const key = IdempotencyKey.of(options.idempotencyKey, operation, ids, command, this.keyExpiry());
    const work = () => this.decideAndCommit(ids, key, decide).catch((error) => this.forgetAllIfTableGone(error));
    return this.options.serializePerAggregate === false ? work() : this.inProcess.run(ids, work);
  }

  /** A ledger table that is gone (deleted, perhaps to be restored) makes every remembered version suspect: forgets them all. */
  private forgetAllIfTableGone(error: unknown): never {
    for (let cause = error as { name?: string; cause?: unknown } | undefined, depth = 0; cause && depth < 5; depth += 1) {
      if (cause.name === "ResourceNotFoundException") {
        this.remembered.forgetAll();
        break;
      }
      cause = cause.cause as typeof cause;
    }
    throw error;
  }

  /**
   * Decides on where the command starts and commits, until one commit wins: after a conflict it
   * reads only the events it missed and decides again, within the attempts and time budget.
   */
  private async decideAndCommit(ids: string[], key: IdempotencyKey | undefined, decide: Decide<S>): Promise<MultiCommandResult<S>> {
    const commitId = randomUUID();
    const startedAt = this.clock();
    const began = performance.now();
    /** Every event this command read from the ledger: a repeat of its key is answered from them, not read again. */
    const seen: LedgerEvent[] = [];
    const saw = (event: LedgerEvent) => void seen.push(event);
    const starts = await Promise.all(ids.map((id) => this.start(id, saw)));
    let aggregates = new Map(starts.map((start) => [start.aggregate.aggregateId, start.aggregate]));
    // Aggregates whose version the ledger is not known to hold (a replica's row, a remembered
    // state decided on unread): the append checks its predecessor.
    const unanchored = new Set(starts.filter((start) => !start.anchored).map((start) => start.aggregate.aggregateId));
    // Aggregates not read from the ledger in this command: the ledger may be ahead of them.
    const unread = new Set(starts.filter((start) => !start.read).map((start) => start.aggregate.aggregateId));
    // Aggregates whose state the ledger gave a moment ago (anchored at the start: read in this
    // command, or a memory it proved within the second; later a catch-up or a refusal's event): a
    // conflict on one is a writer racing this command.
    const fresh = new Set(starts.filter((start) => start.anchored).map((start) => start.aggregate.aggregateId));
    /** Aggregates whose refusal's event, written before this command began, this command folded on. */
    const stepped = new Set<string>();
    const provenBy = (read: Iterable<string>) => [...read].forEach((id) => (unanchored.delete(id), unread.delete(id), fresh.add(id)));
    /** Reads the ledger's events after these aggregates' states onto them: their versions are then proven. */
    const catchUpOn = async (ids: readonly string[]) => {
      for (const id of ids) aggregates.set(id, await this.caughtUp(aggregates.get(id)!, undefined, saw));
      provenBy(ids);
    };
    /** What the command holds as the ledger's: the answer to a repeat of its key reuses it. */
    const known = () => ({ aggregates: new Map([...aggregates].filter(([id]) => !unanchored.has(id))), events: seen });
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
    let pauseMs = 0;
    /** Aggregates to read what they missed before the next attempt: after its pause, so the read is not stale. */
    let behind: string[] = [];
    let pausedBefore = false;
    /** Pauses this command made on hot aggregates: each doubles the next one's ceiling. */
    let yields = 0;
    /** Reads what conflicted aggregates missed; our own commit among it (an earlier send that landed after all) is the result. */
    const afterConflict = async (conflicted: string[]) => {
      const caughtUp = new Map(aggregates);
      const missed: LedgerEvent[] = [];
      const readFrom = performance.now();
      for (const id of conflicted) caughtUp.set(id, await this.caughtUp(aggregates.get(id)!, (_, event) => missed.push(event), saw));
      const readMs = (performance.now() - readFrom) / Math.max(1, conflicted.length);
      const landed = await this.findOwnCommit(aggregates, caughtUp, missed, commitId);
      const advanced = conflicted.some((id) => caughtUp.get(id)!.version > aggregates.get(id)!.version);
      aggregates = caughtUp;
      // The catch-up read each conflicted aggregate from its starting version on; others stay as they were.
      provenBy(conflicted);
      return { landed, advanced, missed, readMs };
    };
    /**
     * One attempt: decide and commit until a commit answers or a conflict is thrown for the next
     * attempt. A starting point to redo (a replica row ahead of the ledger, a commit too large for
     * a state that may lag) decides again on the ledger's state within the same attempt: it is not
     * contention, and it can happen once only (the ledger's state is then what the command holds),
     * so it never spends the budget nor hides the error a decision on the ledger's state gives.
     */
    const commitOnce = async (number: number): Promise<MultiCommandResult<S>> => {
      for (;;) {
        try {
          return await decideAndAppend(number);
        } catch (error) {
          if (!(error instanceof StartAgain)) throw error;
        }
      }
    };
    /** One decision and its commit; a conflict (caught up on) is thrown for the next attempt, a start to redo as StartAgain. */
    const decideAndAppend = async (number: number): Promise<MultiCommandResult<S>> => {
      attempts = number;
      if (pauseMs > 0) await sleep(pauseMs);
      pausedBefore = pauseMs > 0;
      pauseMs = 0;
      // Wakes in a row this command read again instead of writing: bounded, so a writer that keeps committing does not hold it off for ever.
      for (let held = 0; behind.length > 0; held += 1) {
        const { landed, missed, readMs } = await afterConflict(behind);
        behind = [];
        if (landed) return { ...landed, attempts: number };
        if (!pausedBefore) break;
        // Woken from a pause: a writer still committing (its newest event younger than a few of our
        // round trips) would win the race again, so pause again rather than write, within a bound.
        const newest = missed.reduce((latest, event) => Math.max(latest, writtenAt(event)), -Infinity);
        const again = this.pacing.afterWake({
          ageMs: this.clock() - newest,
          readMs,
          yields,
          held,
          waitedMs: performance.now() - began,
          budgetMs: this.retryBudgetMs,
        });
        if (again === 0) break;
        yields += 1;
        behind = ids;
        await sleep(again);
      }
      const decided = await onLedgerState();
      if (decided.kind === "refused") {
        // A repeat whose first execution went through may be refused now (the state moved on): the first outcome answers it.
        const repeat = await this.repeatOf(key, known());
        if (repeat) return repeat;
        throw decided.error;
      }
      if (decided.kind === "rejected") {
        const [first] = ids;
        const rejection = {
          aggregateId: first,
          version: aggregates.get(first)!.version,
          code: decided.rejection.code,
          detail: decided.rejection.detail,
        };
        const repeat = await key?.recordAlone(this.events, this.loader, commitId, { outcome: "rejected", rejection }, known());
        if (repeat) return repeat;
        throw new CommandRejectedError(rejection.aggregateId, rejection.version, rejection.code, rejection.detail);
      }
      const { decision, events, after, due } = decided;
      if (events.length === 0) {
        // Nothing to write: the key still remembers it, so a repeat answers this, not a new decision.
        const versions = ids.map((id) => ({ aggregateId: id, version: aggregates.get(id)!.version }));
        const repeat = await key?.recordAlone(this.events, this.loader, commitId, { outcome: "unchanged", versions }, known());
        return repeat ?? { aggregates, events, attempts: number, commitId };
      }
      const commits = [...decision.keys()]
        .filter((id) => after.get(id)!.version > aggregates.get(id)!.version)
        .map((id) => ({ aggregateId: id, fromVersion: aggregates.get(id)!.version + 1, toVersion: after.get(id)!.version }));
      // The aggregates the commit leaves as they were: a repeat answers them too, at the versions decided on.
      const written = new Set(commits.map((commit) => commit.aggregateId));
      const untouched = ids.filter((id) => !written.has(id)).map((id) => ({ aggregateId: id, version: aggregates.get(id)!.version }));
      try {
        // Versions read consistently from the ledger need no predecessor check; others do.
        await this.events.append(events, {
          commitId,
          predecessorsRead: unanchored.size === 0,
          idempotency: key?.record(commitId, { outcome: "committed", commits, ...(untouched.length > 0 ? { versions: untouched } : {}) }),
        });
      } catch (error) {
        if (!(error instanceof VersionConflictError)) ids.forEach((id) => this.remembered.forget(id));
        if (error instanceof IdempotencyKeyTakenError) return key!.answerRepeat(error.record, this.loader, known());
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
        // Refused before the key's condition was evaluated (too large, invalid for DynamoDB): the key may still hold a first outcome.
        if (error instanceof CommitTooLargeError || error instanceof InvalidEventError) {
          const repeat = await this.repeatOf(key, known());
          if (repeat) return repeat;
        }
        if (!(error instanceof VersionConflictError)) throw error;
        const conflicted = ids.includes(error.aggregateId) ? [error.aggregateId] : ids;
        // A state the ledger gave a moment ago met a writer racing it (contention): paced, and the
        // refusal's event taken. A winner that wrote before this command began did not race it: the
        // memory missed its event (no pause; the event taken once, and if that was not all, a
        // catch-up). One not read (an older memory, a replica row) may be many versions behind: its
        // catch-up reads all it missed at once.
        const earlier = wroteBefore(error.held, startedAt);
        const raced = fresh.has(error.aggregateId) && !(earlier && stepped.has(error.aggregateId));
        const pause = raced && !earlier ? this.pacing.afterConflict(error.aggregateId, { attempt: number, pausedBefore, yields }) : 0;
        pausedBefore = false;
        if (pause > 0) {
          // Pause first, then read what was missed: a catch-up before the pause would be stale after it.
          // Every aggregate of the command, not only the one refused: the writers it yields to move
          // them all meanwhile, and a state left behind would be refused once per version it missed.
          behind = ids;
          pauseMs = pause;
          yields += 1;
          throw error;
        }
        // The refusal carries the winner's event at the version we tried: the next state, with no read.
        const before = aggregates.get(error.aggregateId)!;
        const next = raced && error.held && error.held.commitId !== commitId ? this.loader.followedBy(before, error.held, saw) : undefined;
        if (next) {
          this.log.debug("version conflict, the winner's event taken from the refusal", {
            aggregateId: error.aggregateId,
            attempt: number,
          });
          aggregates = new Map(aggregates).set(next.aggregateId, next);
          if (earlier) stepped.add(next.aggregateId);
          this.remembered.proven(next);
          // Its version is the ledger's (read in this command), but the ledger may be past it.
          unanchored.delete(next.aggregateId);
          unread.add(next.aggregateId);
          // A refusal names one item; the winner may have moved the command's other aggregates too,
          // and a transaction on a state it left behind would only be refused again.
          const others = ids.filter((id) => id !== next.aggregateId);
          if (others.length > 0) {
            const { landed } = await afterConflict(others);
            if (landed) return { ...landed, attempts: number };
          }
          throw error;
        }
        const { landed, advanced } = await afterConflict(conflicted);
        if (landed) return { ...landed, attempts: number };
        this.log.debug("version conflict, caught up", { aggregateId: error.aggregateId, attempt: number });
        // The winner's transaction still in flight, nothing new visible yet: pause, then read again.
        if (!advanced) {
          behind = conflicted;
          pauseMs = backoffDelay(number + 1, CONFLICT_BACKOFF);
        }
        throw error;
      }
      // Only what the ledger proved: read from it, or written after a checked predecessor.
      for (const [id, aggregate] of after)
        if (!unanchored.has(id) || aggregate.version > aggregates.get(id)!.version) this.remembered.proven(aggregate);
      if (due.length > 0 && this.options.snapshotStore) await saveSnapshots(this.options.snapshotStore, this.loader.domain, due, this.log);
      return { aggregates: after, events, attempts: number, commitId };
    };

    try {
      return await retry(commitOnce, {
        attempts: this.maxAttempts,
        withinMs: this.retryBudgetMs,
        backoff: CONFLICT_BACKOFF,
        shouldRetry: (error) => error instanceof VersionConflictError,
        pauseAfter: () => false,
      });
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      const aggregateId = error.aggregateId || ids[0];
      throw new RetriesExhaustedError(aggregateId, attempts, aggregates.get(aggregateId)?.version ?? -1, { cause: error });
    }
  }

  /** The first outcome a key already holds (read from the ledger's key records), or undefined without a key or a record. */
  private async repeatOf(key: IdempotencyKey | undefined, known: KnownReads<S>): Promise<MultiCommandResult<S> | undefined> {
    const record = key && (await this.events.idempotencyRecord?.(key.key));
    return record ? key.answerRepeat(record, this.loader, known) : undefined;
  }

  /** The aggregate with the ledger's events after `from` folded on (read consistently), remembered as such. */
  private async caughtUp(
    from: Aggregate<S>,
    visit?: (aggregate: Aggregate<S>, event: LedgerEvent) => void,
    seen?: Seen,
  ): Promise<Aggregate<S>> {
    const latest = await this.loader.catchUp(from, undefined, visit, seen);
    this.remembered.proven(latest);
    return latest;
  }

  /**
   * Where a command starts on one aggregate, and whether the ledger is known to hold that version
   * (anchored) and was read up to now (read):
   * - a remembered aggregate the ledger proved within `PROOF_STANDS_MS` ("memory-first" and
   *   "decide-first"): as it is, anchored;
   * - an older memory: as it is for "decide-first", unanchored (the append checks the version is
   *   still the ledger's: a ledger restored to an earlier version would otherwise get a gap after
   *   it); else caught up;
   * - no memory: the replica's row for "decide-first" (unanchored), else a load from the ledger.
   */
  private async start(id: string, seen: Seen): Promise<{ aggregate: Aggregate<S>; anchored: boolean; read: boolean }> {
    const policy = this.options.start ?? DEFAULT_START_POLICY;
    const recent = policy === "read-first" ? undefined : this.remembered.recent(id);
    if (recent) return { aggregate: recent, anchored: true, read: false };
    const remembered = this.remembered.get(id);
    if (remembered && policy === "decide-first") return { aggregate: remembered, anchored: false, read: false };
    if (remembered) return { aggregate: await this.loader.catchUp(remembered, undefined, undefined, seen), anchored: true, read: true };
    if (policy === "decide-first" && this.loader.followsLedger)
      return { aggregate: await this.loader.fromReplica(id), anchored: false, read: false };
    return { aggregate: await this.loader.load(id, undefined, seen), anchored: true, read: true };
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

/** Whether a refusal's event was written before `startedAt` (ms, by its timestamp): a version the command's memory missed, not a race. */
const wroteBefore = (held: Record<string, unknown> | undefined, startedAt: number): boolean => {
  const written = writtenAt(held);
  return Number.isFinite(written) && written < startedAt;
};

/** When an event item was written, in ms by its timestamp; -Infinity when it has none the clock can read. */
const writtenAt = (item: { timestamp?: unknown } | undefined): number => {
  const written = typeof item?.timestamp === "string" ? Date.parse(item.timestamp) : NaN;
  return Number.isFinite(written) ? written : -Infinity;
};

/** The id, checked before any request: an id the ledger cannot hold is the command's fault. */
const requireAggregateId = (aggregateId: string): string => {
  const problem = aggregateIdProblem(aggregateId);
  if (problem) throw new InvalidCommandError(problem);
  return aggregateId;
};
