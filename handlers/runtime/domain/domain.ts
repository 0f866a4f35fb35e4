import { InvalidCommandError, InvalidEventError } from "./errors";
import { ownValue } from "../support/ownValue";
import { InvalidDefinitionError } from "../support/errors";
import { aggregateIdProblem, versionProblem } from "./identity";

/** What a command decides to append: the ledger adds aggregate id, version and timestamp. */
export interface NewEvent {
  type: string;
  payload: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** What the ledger adds to an event when a command appends it. */
export interface RecordFields {
  aggregateId: string;
  version: number;
  /** ISO-8601 time the command appended it. */
  timestamp: string;
  /** The commit that wrote it: every event of one command shares it. */
  commitId?: string;
  /** Version of the payload's shape (absent = 1); older shapes are upcast when read. */
  payloadVersion?: number;
  metadata?: Record<string, unknown>;
}

/** An event as stored in the ledger. Versions of one aggregate are 1, 2, 3, ... without gaps. */
export interface LedgerEvent extends NewEvent, RecordFields {}

/**
 * The events a domain declares, as a union of `{ type; payload }` shapes, e.g.
 * `{ type: "Credited"; payload: { amount: number } } | { type: "Debited"; payload: { amount: number } }`.
 * Reducers and decide functions then see each payload's own type: no casts.
 */
export type EventShape = { type: string; payload: object };

/** One of a domain's events as the ledger holds it: its typed shape and the ledger's fields. */
export type Recorded<E extends EventShape> = E extends unknown ? E & RecordFields : never;

/** One of a domain's events as decide returns it. */
export type Decided<E extends EventShape> = E extends unknown ? E & { metadata?: Record<string, unknown> } : never;

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

export type Decision<E extends EventShape = NewEvent> = readonly Decided<E>[] | Rejection;

/** What a command spanning several aggregates decides: the events of each, committed atomically. */
export type MultiDecision<E extends EventShape = NewEvent> = Readonly<Record<string, readonly Decided<E>[]>> | Rejection;

/** What `decide` returns to refuse a command: `code` for callers to act on (the HTTP answer's `code`), `detail` for people. */
export const reject = (code: string, detail: string): Rejection => ({ rejected: true, code, detail });

/** Whether a decision is a rejection (what `reject` returns) rather than events. */
export const isRejection = (decision: unknown): decision is Rejection => isPlainObject(decision) && decision.rejected === true;

/** Checks one event type's payload; returns what is wrong, or undefined when it is valid. */
export type PayloadCheck = (payload: Record<string, unknown>) => string | undefined;

/** Lifts a payload from one version of its shape to the next. */
export type Upcaster = (payload: Record<string, unknown>) => Record<string, unknown>;

/** An event type whose payload shape changed: its current version and a step up from each older one. */
export interface PayloadVersions {
  /** Version new events are written with (2 or more; 1 is every payload's first shape). */
  current: number;
  /** `from[v]` turns a payload of version v into version v + 1, for every v below `current`. */
  from: Record<number, Upcaster>;
}

/**
 * A domain: its event types, a pure reducer and a pure decide function.
 * `reduce` must return a new state and never mutate the one it is given:
 * the dispatcher keeps the state at every version of a batch.
 * S: the state, C: the commands, E: the events (a union of `{ type; payload }` shapes).
 */
export interface Domain<S, C = unknown, E extends EventShape = NewEvent> {
  /** Aggregate type name, e.g. "Account". */
  name: string;
  /** Version of the state shape `reduce` produces; snapshots of another version are ignored. */
  schemaVersion: number;
  initialState(): S;
  /** Every event type the domain may append, with its payload check (run on every event written or read). */
  eventTypes: { [K in E["type"]]: PayloadCheck };
  /**
   * Event types whose payload shape changed since events were first written: events are upcast to
   * the current shape when read (command load, dispatcher fold), never rewritten in the ledger.
   */
  payloadVersions?: { [K in E["type"]]?: PayloadVersions };
  reduce(state: S, event: Recorded<E>): S;
  decide(state: S, command: C, aggregate: Aggregate<S>): Decision<E>;
  /**
   * Decides a command that spans several aggregates (a transfer between two accounts): the
   * events of each, written in one transaction or not at all. Optional.
   */
  decideMany?(aggregates: ReadonlyMap<string, Aggregate<S>>, command: C): MultiDecision<E>;
  /**
   * What is wrong with a state, or undefined when it is sound. Snapshots and read-model rows that
   * fail it are never used as a starting point. Optional: every state is then sound.
   */
  checkState?(state: S): string | undefined;
}

/** Declares a domain; TypeScript infers S, C and E from what is given, or they can be named. */
export const defineDomain = <S, C, E extends EventShape = NewEvent>(domain: Domain<S, C, E>): Domain<S, C, E> => domain;

/** The value as a domain, or an InvalidDefinitionError saying what it lacks. */
export function requireDomain<D>(value: D, what = "the domain"): D {
  const problem = domainProblem(value);
  if (problem) throw new InvalidDefinitionError(what, problem);
  return value;
}

/**
 * What is wrong with a value given as a domain (a module's export), or undefined when it has a
 * domain's shape: checked when a Pulumi program bundles it and when a handler is built, so a wrong
 * export fails `pulumi up`, not a Lambda's cold start.
 */
export function domainProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return `is ${describe(value)}, not a domain (use defineDomain)`;
  if (typeof value.name !== "string" || value.name === "") return "has no name";
  if (!Number.isSafeInteger(value.schemaVersion)) return "has no integer schemaVersion";
  for (const fn of ["initialState", "reduce", "decide"]) if (typeof value[fn] !== "function") return `has no ${fn} function`;
  if (!isPlainObject(value.eventTypes) || Object.keys(value.eventTypes).length === 0) return "declares no eventTypes";
  for (const [type, check] of Object.entries(value.eventTypes))
    if (typeof check !== "function") return `eventTypes.${type} is not a payload check function`;
  for (const [type, versions] of Object.entries(isPlainObject(value.payloadVersions) ? value.payloadVersions : {})) {
    if (!(type in value.eventTypes)) return `payloadVersions names unknown event type "${type}"`;
    const { current, from } = (versions ?? {}) as Partial<PayloadVersions>;
    if (!Number.isSafeInteger(current) || current! < 2) return `payloadVersions.${type}.current must be an integer of at least 2`;
    for (let version = 1; version < current!; version += 1)
      if (typeof from?.[version] !== "function") return `payloadVersions.${type} has no upcaster from version ${version}`;
  }
  return undefined;
}

/**
 * Reserved event type: appended to the ledger to make projectors rewrite their row from
 * the latest aggregate. Reducers never see it. Its payload may name a `target` projector.
 */
export const REPLAY_EVENT_TYPE = "ledger.Replay";

export const isReplay = (event: { type: string }): boolean => event.type === REPLAY_EVENT_TYPE;

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Checks an event from any source (a command, a ledger read, a stream record) against
 * the domain and returns it typed, or throws an InvalidEventError saying what is wrong.
 */
export function validateEvent(domain: Domain<unknown, unknown>, raw: unknown): LedgerEvent {
  if (!isPlainObject(raw)) throw new InvalidEventError("event is not an object");
  const { aggregateId, version, type, timestamp, metadata, commitId } = raw;
  const idProblem = aggregateIdProblem(aggregateId);
  if (idProblem) throw new InvalidEventError(idProblem, undefined, version);
  const id = aggregateId as string;
  const problem = versionProblem(version);
  if (problem) throw new InvalidEventError(problem, id);
  if (typeof type !== "string" || type === "") throw new InvalidEventError("missing event type", id, version);
  const check = type === REPLAY_EVENT_TYPE ? checkReplayPayload : ownValue(domain.eventTypes, type);
  if (!check) {
    throw new InvalidEventError(
      `unknown event type "${type}" for domain ${domain.name} (known: ${Object.keys(domain.eventTypes).join(", ")})`,
      id,
      version,
    );
  }
  if (!isPlainObject(raw.payload)) throw new InvalidEventError(`payload of ${type} must be an object`, id, version);
  const versions = ownValue(domain.payloadVersions as Record<string, PayloadVersions | undefined> | undefined, type);
  const payload = upcast(raw.payload, raw.payloadVersion, versions, `${type} of aggregate "${id}" at version ${version}`);
  const payloadProblem = check(payload);
  if (payloadProblem) throw new InvalidEventError(`${type}: ${payloadProblem}`, id, version as number);
  if (typeof timestamp !== "string" || Number.isNaN(Date.parse(timestamp))) {
    throw new InvalidEventError(`timestamp must be an ISO-8601 string, got ${JSON.stringify(timestamp)}`, id, version);
  }
  if (metadata !== undefined && !isPlainObject(metadata)) {
    throw new InvalidEventError("metadata must be an object when present", id, version);
  }
  if (commitId !== undefined && (typeof commitId !== "string" || commitId === "")) {
    throw new InvalidEventError("commitId must be a non-empty string when present", id, version);
  }
  return {
    aggregateId: id,
    version: version as number,
    type,
    payload,
    timestamp,
    ...(metadata ? { metadata } : {}),
    ...(commitId ? { commitId } : {}),
    ...(versions ? { payloadVersion: versions.current } : {}),
  };
}

/**
 * A decided event (current payload shape) stamped with the ledger's fields, validated as the ledger
 * will read it back: what a command appends.
 */
export function recordDecided(
  domain: Domain<unknown, unknown>,
  event: NewEvent,
  fields: Omit<RecordFields, "payloadVersion">,
): LedgerEvent {
  const versions = isPlainObject(event)
    ? (domain.payloadVersions as Record<string, PayloadVersions | undefined> | undefined)?.[String(event.type)]
    : undefined;
  return validateEvent(domain, { ...event, ...fields, ...(versions ? { payloadVersion: versions.current } : {}) });
}

/** A payload lifted from the version it was written with to the current one, step by step. */
function upcast(
  payload: Record<string, unknown>,
  stored: unknown,
  versions: PayloadVersions | undefined,
  what: string,
): Record<string, unknown> {
  const from = stored === undefined ? 1 : stored;
  const current = versions?.current ?? 1;
  if (!Number.isSafeInteger(from) || (from as number) < 1)
    throw new InvalidEventError(`${what}: payloadVersion ${JSON.stringify(stored)} is not a positive integer`);
  if ((from as number) > current)
    throw new InvalidEventError(
      `${what}: payload version ${String(from)} is newer than this release knows (${current}); deploy the newer domain everywhere`,
    );
  let lifted = payload;
  for (let version = from as number; version < current; version += 1) {
    const step = versions!.from[version];
    if (!step) throw new InvalidEventError(`${what}: no upcaster from payload version ${version}`);
    lifted = step(lifted);
    if (!isPlainObject(lifted)) throw new InvalidEventError(`${what}: the upcaster from version ${version} returned ${describe(lifted)}`);
  }
  return lifted;
}

/**
 * Replay payload: an optional target projector name; or, aimed at the dispatcher's publications
 * (`PUBLICATIONS_REPLAY_TARGET`), the versions whose public events it publishes again.
 */
export interface ReplayPayload {
  target?: string;
  versions?: number[];
}

/** The replay target no projector has: the dispatcher publishes the public events of its `versions` again. */
export const PUBLICATIONS_REPLAY_TARGET = "dispatcher:publications";

const checkReplayPayload: PayloadCheck = (payload) => {
  if (!(payload.target === undefined || (typeof payload.target === "string" && payload.target !== "")))
    return "target must be a projector name";
  if (payload.versions === undefined) return payload.target === PUBLICATIONS_REPLAY_TARGET ? "versions must be given" : undefined;
  if (payload.target !== PUBLICATIONS_REPLAY_TARGET) return `versions are given only with target ${PUBLICATIONS_REPLAY_TARGET}`;
  const versions = payload.versions;
  return Array.isArray(versions) && versions.length > 0 && versions.every((version) => Number.isSafeInteger(version) && version > 0)
    ? undefined
    : "versions must be a non-empty list of positive integers";
};

/** The versions a replay asks the dispatcher to publish the public events of again, or undefined. */
export const republishedVersions = (event: LedgerEvent): readonly number[] | undefined =>
  isReplay(event) && (event.payload as ReplayPayload).target === PUBLICATIONS_REPLAY_TARGET
    ? (event.payload as ReplayPayload).versions
    : undefined;

/** The projector a replay event is aimed at, or undefined when it is aimed at all of them. */
export const replayTarget = (event: LedgerEvent): string | undefined =>
  isReplay(event) ? (event.payload as ReplayPayload).target : undefined;

/**
 * The events a decide function returned, checked for shape; a rejection is passed through.
 * Anything else (undefined for an unknown command, null, a bare event) is an InvalidCommandError.
 */
export function checkDecision(decision: unknown, aggregateId: string): readonly NewEvent[] | Rejection {
  if (isRejection(decision)) {
    if (typeof decision.code !== "string" || decision.code === "")
      throw new InvalidCommandError("decide rejected without a code", aggregateId);
    return decision;
  }
  if (!Array.isArray(decision)) {
    throw new InvalidCommandError(
      `decide returned ${describe(decision)}, not a list of events or a rejection (is the command known to the domain?)`,
      aggregateId,
    );
  }
  decision.forEach((event, index) => {
    if (!isPlainObject(event) || typeof event.type !== "string") {
      throw new InvalidCommandError(`decide returned ${describe(event)} at index ${index}, not an event with a type`, aggregateId);
    }
  });
  return decision as readonly NewEvent[];
}

const describe = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
      ? "an array"
      : typeof value === "object"
        ? "an object"
        : typeof value === "undefined"
          ? "undefined"
          : `a ${typeof value}`;
