import {
  Aggregate,
  Domain,
  LedgerEvent,
  NewEvent,
  PUBLICATIONS_REPLAY_TARGET,
  REPLAY_EVENT_TYPE,
  Rejection,
  checkDecision,
  isRejection,
  recordDecided,
} from "../domain/domain";
import { InvalidCommandError, InvalidEventError } from "../domain/errors";
import { fold } from "../domain/fold";
import { unstorable } from "../domain/storable";
import { isSnapshotDue } from "../ledger/snapshots";

/** A command's decision on the states it loaded: events per aggregate, or a rejection. */
export type Decide<S> = (aggregates: ReadonlyMap<string, Aggregate<S>>) => ReadonlyMap<string, readonly NewEvent[]> | Rejection;

/** What one decision came to. */
export type Attempt<S> =
  | { kind: "rejected"; rejection: Rejection }
  | { kind: "refused"; error: InvalidCommandError | InvalidEventError }
  | {
      kind: "events";
      decision: ReadonlyMap<string, readonly NewEvent[]>;
      events: LedgerEvent[];
      after: Map<string, Aggregate<S>>;
      due: Aggregate<S>[];
    };

/** How decided events are stamped and checked. */
export interface Stamping {
  commitId: string;
  /** The events' timestamp (ISO). */
  timestamp: string;
  /** Aggregates at a multiple of this version are due a snapshot (0: never). */
  snapshotEvery: number;
}

/** `domain.decide` on one aggregate, as a decision over the loaded states. */
export function decideOne<S, C>(domain: Domain<S, C>, id: string, command: C): Decide<S> {
  return (aggregates) => {
    const aggregate = aggregates.get(id)!;
    const decision = checkDecision(
      callDecide(id, () => domain.decide(aggregate.state, command, aggregate)),
      id,
    );
    return isRejection(decision) ? decision : new Map([[id, decision]]);
  };
}

/** `domain.decideMany` over several aggregates, each aggregate's events checked. */
export function decideMany<S, C>(domain: Domain<S, C>, ids: readonly string[], command: C): Decide<S> {
  const decideMany = domain.decideMany;
  if (!decideMany) throw new InvalidCommandError(`domain ${domain.name} has no decideMany for commands over several aggregates`);
  return (aggregates) => {
    const decision = callDecide(ids.join(","), () => decideMany.call(domain, aggregates, command));
    if (isRejection(decision)) return checkDecision(decision, ids[0]) as Rejection;
    if (typeof decision !== "object" || decision === null) throw new InvalidCommandError(`decideMany returned ${String(decision)}`, ids[0]);
    const byAggregate = new Map<string, readonly NewEvent[]>();
    for (const [id, events] of Object.entries(decision)) {
      if (!aggregates.has(id)) throw new InvalidCommandError(`decideMany returned events for "${id}", which the command did not load`, id);
      byAggregate.set(id, checkDecision(events, id) as readonly NewEvent[]);
    }
    return byAggregate;
  };
}

/** A replay event (for one projector, or all) on an aggregate that has events; nothing on one that has none. */
/**
 * A replay asking the dispatcher to publish the public events of these versions again; a version
 * the aggregate does not have yet is the command's fault.
 */
export function decideRepublish<S>(id: string, versions: readonly number[]): Decide<S> {
  return (aggregates) => {
    const { version } = aggregates.get(id)!;
    const beyond = versions.filter((wanted) => wanted > version);
    if (beyond.length > 0)
      throw new InvalidCommandError(
        `aggregate "${id}" is at version ${version}: it has no version ${beyond.join(", ")} to publish again`,
        id,
      );
    return new Map([[id, [{ type: REPLAY_EVENT_TYPE, payload: { target: PUBLICATIONS_REPLAY_TARGET, versions: [...versions] } }]]]);
  };
}

export function decideReplay<S>(id: string, target: string | undefined): Decide<S> {
  return (aggregates) =>
    new Map([
      [id, aggregates.get(id)!.version === 0 ? [] : [{ type: REPLAY_EVENT_TYPE, payload: target === undefined ? {} : { target } }]],
    ]);
}

/**
 * One decision on these states: a rejection, a refusal (decide failing, events or a state the
 * domain refuses) or the stamped events and the states after them.
 */
export function attempt<S>(
  domain: Domain<S, unknown>,
  aggregates: ReadonlyMap<string, Aggregate<S>>,
  decide: Decide<S>,
  stamping: Stamping,
): Attempt<S> {
  try {
    const decision = decide(aggregates);
    if (isRejection(decision)) return { kind: "rejected", rejection: decision };
    return { kind: "events", decision, ...stamp(domain, aggregates, decision, stamping) };
  } catch (error) {
    if (error instanceof InvalidCommandError || error instanceof InvalidEventError) return { kind: "refused", error };
    throw error;
  }
}

/**
 * The decided events stamped with versions and time, validated, and the aggregates after them.
 * A state that could not be stored or carried (a balance past 2^53) or that fails the domain's
 * check is refused here: it would otherwise poison every projector that receives it.
 */
function stamp<S>(
  domain: Domain<S, unknown>,
  aggregates: ReadonlyMap<string, Aggregate<S>>,
  decision: ReadonlyMap<string, readonly NewEvent[]>,
  stamping: Stamping,
) {
  const events: LedgerEvent[] = [];
  const after = new Map(aggregates);
  const due: Aggregate<S>[] = [];
  for (const [id, decided] of decision) {
    const before = aggregates.get(id)!;
    const stamped = decided.map((event, index) =>
      recordDecided(domain as Domain<unknown, unknown>, event, {
        aggregateId: id,
        version: before.version + index + 1,
        timestamp: stamping.timestamp,
        commitId: stamping.commitId,
      }),
    );
    after.set(
      id,
      fold(domain, before, stamped, (next, event) => {
        const problem = unstorable(next.state, "state") ?? domain.checkState?.(next.state);
        if (problem) throw new InvalidEventError(`the state after ${event.type} would be unsound: ${problem}`, id, next.version);
        if (isSnapshotDue(next.version, stamping.snapshotEvery)) due.push(next);
      }),
    );
    events.push(...stamped);
  }
  return { events, after, due };
}

/** Runs a domain's decide; a throw is the command's fault (a field it lacks), reported as such. */
function callDecide<T>(aggregateId: string, decide: () => T): T {
  try {
    return decide();
  } catch (error) {
    throw new InvalidCommandError(`decide failed: ${(error as Error)?.message ?? String(error)}`, aggregateId, { cause: error });
  }
}
