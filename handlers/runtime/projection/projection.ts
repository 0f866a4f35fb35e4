import { Aggregate, Domain, EventShape, LedgerEvent, isPlainObject } from "../domain/domain";
import { InvalidDefinitionError } from "../support/errors";

/** A read model: which events it needs and how one row is computed from the carried aggregate. */
export interface Projection<S = Record<string, unknown>> {
  /** Projector name: replay events may target it by this name. */
  name: string;
  /** Event types that change this read model; replay events are always accepted. */
  eventTypes: readonly string[];
  /** Aggregate schema version `project` expects. */
  schemaVersion: number;
  /** Turns a state of an older schema into the current shape; without it, other schemas are dead-lettered. */
  upcast?(state: unknown, fromSchemaVersion: number): S;
  /** The row's attributes (the key and version are added by the projector). */
  project(aggregate: Aggregate<S>, event: LedgerEvent): Record<string, unknown>;
}

/**
 * Declares a projection of a domain's aggregates: its name, the event types that update its row
 * (checked against the domain's, when the program compiles and when it runs: a misspelt type is an
 * error, not a read model that never hears of it), and the row for an aggregate. The schema version
 * is the domain's unless given.
 */
export function defineProjection<S, E extends EventShape, T extends E["type"]>(
  projection: Omit<Projection<S>, "eventTypes" | "schemaVersion"> & {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any commands: a projection reads states and events only
    readonly domain: Domain<S, any, E>;
    readonly eventTypes: readonly T[];
    readonly schemaVersion?: number;
  },
): Projection<S>;
/** Declares a projection of states of type S without a domain to check its event types against. */
export function defineProjection<S>(projection: Projection<S>): Projection<S>;
export function defineProjection<S>(
  projection: Omit<Projection<S>, "schemaVersion"> & { schemaVersion?: number; domain?: Domain<S, unknown, EventShape> },
): Projection<S> {
  const { domain, ...rest } = projection;
  if (!domain) return projection as Projection<S>;
  const known = Object.keys(domain.eventTypes);
  for (const type of rest.eventTypes)
    if (!known.includes(type))
      throw new InvalidDefinitionError(
        `projection "${rest.name}"`,
        `takes "${type}", which domain ${domain.name} does not declare (it declares: ${known.join(", ")})`,
      );
  return { ...rest, schemaVersion: rest.schemaVersion ?? domain.schemaVersion };
}

/** What is wrong with a value given as a projection, or undefined when it has a projection's shape. */
export function projectionProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return "is not a projection (use defineProjection)";
  if (typeof value.name !== "string" || !/^[A-Za-z0-9_.-]{1,64}$/.test(value.name))
    return "needs a name of 1 to 64 letters, digits, '.', '_' or '-' (replays target it)";
  if (
    !Array.isArray(value.eventTypes) ||
    value.eventTypes.length === 0 ||
    !value.eventTypes.every((type) => typeof type === "string" && type !== "")
  )
    return "needs a non-empty list of eventTypes";
  if (!Number.isSafeInteger(value.schemaVersion)) return "has no integer schemaVersion";
  if (typeof value.project !== "function") return "has no project function";
  if (value.upcast !== undefined && typeof value.upcast !== "function") return "has an upcast that is not a function";
  return undefined;
}

/** The value as a projection, or an InvalidDefinitionError saying what it lacks. */
export function requireProjection<P>(value: P, what = "the projection"): P {
  const problem = projectionProblem(value);
  if (problem) throw new InvalidDefinitionError(what, problem);
  return value;
}
