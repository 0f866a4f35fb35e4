import { REPLAY_EVENT_TYPE } from "./conventions";
import { InvalidCommandError, InvalidEventError } from "./errors";

/** What a command decides to append: the ledger adds aggregate id, version and timestamp. */
export interface NewEvent {
  type: string;
  payload: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** An event as stored in the ledger. Versions of one aggregate are 1, 2, 3, ... without gaps. */
export interface LedgerEvent extends NewEvent {
  aggregateId: string;
  version: number;
  /** ISO-8601 time the command appended it. */
  timestamp: string;
  /** The commit that wrote it: every event of one command shares it. */
  commitId?: string;
}

/** An aggregate's state after folding every event up to and including `version` (0 = no event). */
export interface Aggregate<S> {
  aggregateId: string;
  version: number;
  state: S;
}

/** A business refusal returned by `decide`, turned into a CommandRejectedError by the command handler. */
export interface Rejection {
  rejected: true;
  code: string;
  detail: string;
}

export type Decision = readonly NewEvent[] | Rejection;

/** What a command spanning several aggregates decides: the events of each, committed atomically. */
export type MultiDecision = Readonly<Record<string, readonly NewEvent[]>> | Rejection;

export const reject = (code: string, detail: string): Rejection => ({ rejected: true, code, detail });

export const isRejection = (decision: unknown): decision is Rejection =>
  isPlainObject(decision) && decision.rejected === true;

/** Checks one event type's payload; returns what is wrong, or undefined when it is valid. */
export type PayloadCheck = (payload: Record<string, unknown>) => string | undefined;

/**
 * A domain: its event types, a pure reducer and a pure decide function.
 * `reduce` must return a new state and never mutate the one it is given:
 * the dispatcher keeps the state at every version of a batch.
 */
export interface Domain<S, C = unknown> {
  /** Aggregate type name, e.g. "Account". */
  name: string;
  /** Version of the state shape `reduce` produces; snapshots of another version are ignored. */
  schemaVersion: number;
  initialState(): S;
  /** Every event type the domain may append, with its payload check. */
  eventTypes: Record<string, PayloadCheck>;
  reduce(state: S, event: LedgerEvent): S;
  decide(state: S, command: C, aggregate: Aggregate<S>): Decision;
  /**
   * Decides a command that spans several aggregates (a transfer between two accounts): the
   * events of each, written in one transaction or not at all. Optional.
   */
  decideMany?(aggregates: ReadonlyMap<string, Aggregate<S>>, command: C): MultiDecision;
  /**
   * What is wrong with a state, or undefined when it is sound. Snapshots and read-model rows that
   * fail it are never used as a starting point. Optional: every state is then sound.
   */
  checkState?(state: S): string | undefined;
}

export const defineDomain = <S, C>(domain: Domain<S, C>): Domain<S, C> => domain;

export const isReplay = (event: { type: string }): boolean => event.type === REPLAY_EVENT_TYPE;

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Checks an event from any source (a command, a ledger read, a stream record) against
 * the domain and returns it typed, or throws an InvalidEventError saying what is wrong.
 */
export function validateEvent(domain: Domain<unknown, unknown>, raw: unknown): LedgerEvent {
  if (!isPlainObject(raw)) throw new InvalidEventError("event is not an object");
  const { aggregateId, version, type, payload, timestamp, metadata, commitId } = raw;
  const id = typeof aggregateId === "string" ? aggregateId : undefined;
  if (!id || id.trim() === "") throw new InvalidEventError("missing aggregate id", undefined, version);
  if (typeof version !== "number" || !Number.isSafeInteger(version) || version < 1) {
    throw new InvalidEventError(`version must be a positive integer, got ${JSON.stringify(version)}`, id);
  }
  if (typeof type !== "string" || type === "") throw new InvalidEventError("missing event type", id, version);
  const check = type === REPLAY_EVENT_TYPE ? checkReplayPayload : domain.eventTypes[type];
  if (!check) {
    throw new InvalidEventError(
      `unknown event type "${type}" for domain ${domain.name} (known: ${Object.keys(domain.eventTypes).join(", ")})`,
      id,
      version,
    );
  }
  if (!isPlainObject(payload)) throw new InvalidEventError(`payload of ${type} must be an object`, id, version);
  const problem = check(payload);
  if (problem) throw new InvalidEventError(`${type}: ${problem}`, id, version);
  if (typeof timestamp !== "string" || Number.isNaN(Date.parse(timestamp))) {
    throw new InvalidEventError(`timestamp must be an ISO-8601 string, got ${JSON.stringify(timestamp)}`, id, version);
  }
  if (metadata !== undefined && !isPlainObject(metadata)) {
    throw new InvalidEventError("metadata must be an object when present", id, version);
  }
  if (commitId !== undefined && (typeof commitId !== "string" || commitId === "")) {
    throw new InvalidEventError("commitId must be a non-empty string when present", id, version);
  }
  return { aggregateId: id, version, type, payload, timestamp, ...(metadata ? { metadata } : {}), ...(commitId ? { commitId } : {}) };
}

/** Replay payload: an optional target projector name. */
export interface ReplayPayload {
  target?: string;
}

const checkReplayPayload: PayloadCheck = (payload) =>
  payload.target === undefined || (typeof payload.target === "string" && payload.target !== "")
    ? undefined
    : "target must be a projector name";

/** The projector a replay event is aimed at, or undefined when it is aimed at all of them. */
export const replayTarget = (event: LedgerEvent): string | undefined =>
  isReplay(event) ? (event.payload as ReplayPayload).target : undefined;

/**
 * The events a decide function returned, checked for shape; a rejection is passed through.
 * Anything else (undefined for an unknown command, null, a bare event) is an InvalidCommandError.
 */
export function checkDecision(decision: unknown, aggregateId: string): readonly NewEvent[] | Rejection {
  if (isRejection(decision)) {
    if (typeof decision.code !== "string" || decision.code === "") throw new InvalidCommandError("decide rejected without a code", aggregateId);
    return decision;
  }
  if (!Array.isArray(decision)) {
    throw new InvalidCommandError(`decide returned ${describe(decision)}, not a list of events or a rejection (is the command known to the domain?)`, aggregateId);
  }
  decision.forEach((event, index) => {
    if (!isPlainObject(event) || typeof event.type !== "string") {
      throw new InvalidCommandError(`decide returned ${describe(event)} at index ${index}, not an event with a type`, aggregateId);
    }
  });
  return decision as readonly NewEvent[];
}

const describe = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : typeof value === "undefined" ? "undefined" : `a ${typeof value}`;
