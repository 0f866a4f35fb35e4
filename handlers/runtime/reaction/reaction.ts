import { Contract, PublishedEvent, contractProblem, publishedDetailType } from "../contracts/contract";
import { Domain, EventShape, NewEvent, Recorded, domainProblem, isPlainObject } from "../domain/domain";
import { detailTypeOf } from "../ledger/conventions";
import { EventPattern } from "../messages/eventPatterns";
import { InvalidDefinitionError } from "../support/errors";

/** One command a reaction asks for: on an aggregate of the reacting service's ledger. */
export interface ReactionCommand<C> {
  aggregateId: string;
  command: C;
  /**
   * Run it at this time rather than at once (a one-time schedule), e.g. a timeout: "cancel the order
   * if still unpaid 15 minutes after it was placed". Derive it from the event (its timestamp), not
   * from the clock, so that every delivery of the event asks for the same time; a string names its
   * time zone (`Z` or an offset), as one without is read in the local zone of wherever it runs. A
   * time past, or less than 5 seconds ahead, runs the command at once. Default: at once.
   */
  at?: string | Date;
}

/** Where a reaction's events come from: another service's published contract, or a domain's own events. */
export type ReactionSource = { readonly contract: Contract } | { readonly service: string; readonly domain: Domain<unknown, unknown> };

/** What a reaction sees of one source event. */
export interface ReactionInput<E, S> {
  /** The event: a contract's public event, or the domain's event as its ledger holds it. */
  event: E;
  /** The source aggregate right after the event: its state for a domain's events, undefined for a contract's. */
  state: S;
  /**
   * The version of the same source aggregate this reaction acted on last (0: none). Versions between
   * it and this event's were either of types it does not subscribe to, or arrived after a newer one
   * and will never be acted on: the state (or the event's payload) says what they changed.
   */
  previousVersion: number;
}

type Reply<C> = ReactionCommand<C> | readonly ReactionCommand<C>[] | undefined;

/**
 * A reaction: events of a service (another's published events, or a domain's own) turned into commands
 * on the reacting service's ledger. `react` must be pure and deterministic: every delivery of an event
 * asks for the same commands, each of which is applied once (its idempotency key is derived from the
 * source event and the command's position).
 * C: the commands of the reacting service's domain.
 */
export interface Reaction<C = unknown> {
  /** Unique within the reacting service (a program with two Reactors of one name on a ledger is refused): part of every command's idempotency key and of its checkpoints. */
  readonly name: string;
  readonly source: ReactionSource;
  /** The reacting service's domain: the commands go to its ledger. */
  readonly target: Domain<unknown, C, EventShape>;
  /** The source's event types it reacts to. */
  readonly eventTypes: readonly string[];
  react(input: ReactionInput<unknown, unknown>): Reply<C>;
}

/** How reactions with commands of one domain are declared: the domain fixes the commands' type first. */
export interface ReactionsOf<C> {
  /** Declares a reaction to another service's published contract: event types and payloads typed by the contract. */
  define<E extends EventShape, T extends E["type"]>(reaction: {
    name: string;
    source: { contract: Contract<E> };
    eventTypes: readonly T[];
    react(input: ReactionInput<PublishedEvent<Extract<E, { type: T }>>, undefined>): Reply<C>;
  }): Reaction<C>;
  /** Declares a reaction to a domain's own events (this service's, e.g. a saga's timeout): with the aggregate's state. */
  define<S, E extends EventShape, T extends E["type"]>(reaction: {
    name: string;
    source: { service: string; domain: Domain<S, never, E> };
    eventTypes: readonly T[];
    react(input: ReactionInput<Recorded<Extract<E, { type: T }>>, S>): Reply<C>;
  }): Reaction<C>;
}

/**
 * The reactions whose commands go to `target`, the reacting service's domain:
 * `reactionsOf(payments).define({ name, source: { contract: orders }, eventTypes: ["OrderPlaced"], react })`.
 * The replies are typed by the domain's commands, the events by the source.
 */
export function reactionsOf<S, C, E extends EventShape>(target: Domain<S, C, E>): ReactionsOf<C> {
  return {
    define: (reaction: Omit<Reaction<C>, "target">) => requireReaction({ ...reaction, target } as Reaction<C>),
  } as ReactionsOf<C>;
}

/** The commands of one reply, as a list. */
export const commandsOf = <C>(reply: Reply<C>): readonly ReactionCommand<C>[] =>
  reply === undefined ? [] : Array.isArray(reply) ? reply : [reply as ReactionCommand<C>];

/** The service whose events a reaction takes: the `source` of its rule. */
export const sourceServiceOf = (reaction: Pick<Reaction, "source">): string =>
  "contract" in reaction.source ? reaction.source.contract.service : reaction.source.service;

/** The EventBridge detail-types a reaction's rule matches. */
export const reactionDetailTypes = (reaction: Pick<Reaction, "source" | "eventTypes">): string[] =>
  reaction.eventTypes.map((type) =>
    "contract" in reaction.source ? publishedDetailType(reaction.source.contract, type) : detailTypeOf(type),
  );

/** The rule a reactor subscribes with: its event types from the source service, never a replay (a replay rebuilds read models, it is not news). */
export const reactionEventPattern = (reaction: Pick<Reaction, "source" | "eventTypes">): EventPattern => ({
  source: [sourceServiceOf(reaction)],
  "detail-type": reactionDetailTypes(reaction),
});

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The value as a reaction, or an InvalidDefinitionError saying what it lacks. */
export function requireReaction<R>(value: R, what = "the reaction"): R {
  const problem = reactionProblem(value);
  if (problem) throw new InvalidDefinitionError(what, problem);
  return value;
}

/** What is wrong with a value given as a reaction, or undefined when it has a reaction's shape. */
export function reactionProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return "is not a reaction (use defineReaction)";
  if (typeof value.name !== "string" || !NAME.test(value.name)) return "needs a name of 1 to 64 letters, digits, '-' or '_'";
  if (typeof value.react !== "function") return "has no react function";
  const targetProblem = domainProblem(value.target);
  if (targetProblem) return `target ${targetProblem}`;
  const source = value.source;
  if (!isPlainObject(source)) return "has no source (a contract, or { service, domain })";
  let known: readonly string[];
  if ("contract" in source) {
    const problem = contractProblem(source.contract);
    if (problem) return `source.contract ${problem}`;
    known = Object.keys((source.contract as Contract).eventTypes);
  } else {
    if (typeof source.service !== "string" || source.service === "") return "source names no service";
    const problem = domainProblem(source.domain);
    if (problem) return `source.domain ${problem}`;
    known = Object.keys((source.domain as Domain<unknown, unknown, NewEvent>).eventTypes);
  }
  if (!Array.isArray(value.eventTypes) || value.eventTypes.length === 0) return "reacts to no eventTypes";
  for (const type of value.eventTypes)
    if (!known.includes(type)) return `reacts to "${type}", which its source does not declare (it declares: ${known.join(", ")})`;
  return undefined;
}
