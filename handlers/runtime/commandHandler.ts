import { setTimeout as sleep } from "node:timers/promises";
import { AggregateLoader } from "./aggregateLoader";
import { REPLAY_EVENT_TYPE } from "./conventions";
import { Aggregate, Decision, LedgerEvent, isRejection, validateEvent } from "./domain";
import { CommandRejectedError, InvalidEventError, RetriesExhaustedError, VersionConflictError } from "./errors";
import { fold } from "./fold";
import { log } from "./log";
import { isSnapshotDue, saveSnapshots } from "./snapshots";
import { EventStore, SnapshotStore } from "./stores";

export interface CommandHandlerOptions {
  /** Attempts before RetriesExhaustedError, the first included. Default 5. */
  maxAttempts?: number;
  /** Save a snapshot at every multiple of this version (0 = never; the dispatcher usually does it). Default 0. */
  snapshotEvery?: number;
  /** Where snapshots are saved when `snapshotEvery` > 0. */
  snapshotStore?: SnapshotStore;
  /** Event timestamps. Default: the system clock. */
  now?: () => Date;
}

export interface CommandResult<S> {
  /** The aggregate after the appended events. */
  aggregate: Aggregate<S>;
  events: LedgerEvent[];
  /** 1 when the first append won; more after version conflicts. */
  attempts: number;
}

/**
 * Executes commands with optimistic concurrency: load (snapshot + catch-up), decide,
 * append at version + 1. On a version conflict it reads only the events it missed,
 * decides again on the fresher state and retries, up to `maxAttempts`.
 */
export class CommandHandler<S, C> {
  private readonly maxAttempts: number;

  constructor(
    private readonly loader: AggregateLoader<S>,
    private readonly events: EventStore,
    private readonly options: CommandHandlerOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new RangeError(`maxAttempts must be a positive integer, got ${options.maxAttempts}`);
    }
  }

  /** Strongly consistent read of an aggregate: the same path a command takes. */
  query(aggregateId: string): Promise<Aggregate<S>> {
    return this.loader.load(requireAggregateId(aggregateId));
  }

  execute(aggregateId: string, command: C): Promise<CommandResult<S>> {
    return this.run(aggregateId, (aggregate) => this.loader.domain.decide(aggregate.state, command, aggregate));
  }

  /**
   * Appends a replay event so projectors rewrite their rows from the latest aggregate;
   * `target` limits it to one projector. An aggregate with no event has nothing to replay.
   */
  replay(aggregateId: string, target?: string): Promise<CommandResult<S>> {
    return this.run(aggregateId, (aggregate) =>
      aggregate.version === 0 ? [] : [{ type: REPLAY_EVENT_TYPE, payload: target === undefined ? {} : { target } }],
    );
  }

  private async run(aggregateId: string, decide: (aggregate: Aggregate<S>) => Decision): Promise<CommandResult<S>> {
    const domain = this.loader.domain;
    let aggregate = await this.loader.load(requireAggregateId(aggregateId));
    for (let attempt = 1; ; attempt += 1) {
      const decision = decide(aggregate);
      if (isRejection(decision)) {
        throw new CommandRejectedError(aggregateId, aggregate.version, decision.code, decision.detail);
      }
      const timestamp = (this.options.now?.() ?? new Date()).toISOString();
      // Validate everything before writing anything: bad input never reaches the ledger.
      const events = decision.map((event, index) =>
        validateEvent(domain, { ...event, aggregateId, version: aggregate.version + index + 1, timestamp }),
      );
      if (events.length === 0) return { aggregate, events, attempts: attempt };
      try {
        await this.events.append(events);
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        if (attempt >= this.maxAttempts) throw new RetriesExhaustedError(aggregateId, attempt, aggregate.version);
        const before = aggregate.version;
        aggregate = await this.loader.catchUp(aggregate);
        log.debug("version conflict, caught up", { aggregateId, attempt, from: before, to: aggregate.version });
        // Retry at once after the first conflict; after repeated ones (or when the winner's
        // transaction is still in flight and nothing new is visible) back off with jitter.
        if (attempt > 1 || aggregate.version === before) await sleep(jitteredBackoff(attempt));
        continue;
      }
      const due: Aggregate<S>[] = [];
      const after = fold(domain, aggregate, events, (next) => {
        if (isSnapshotDue(next.version, this.options.snapshotEvery ?? 0)) due.push(next);
      });
      if (due.length > 0 && this.options.snapshotStore) await saveSnapshots(this.options.snapshotStore, domain, due);
      return { aggregate: after, events, attempts: attempt };
    }
  }
}

const requireAggregateId = (aggregateId: string): string => {
  if (typeof aggregateId !== "string" || aggregateId.trim() === "") throw new InvalidEventError("missing aggregate id");
  return aggregateId;
};

const jitteredBackoff = (attempt: number): number => Math.random() * Math.min(200, 10 * 2 ** attempt);
