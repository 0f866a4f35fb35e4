import { Domain, EventShape, LedgerEvent, Recorded, isPlainObject, isReplay } from "../domain/domain";
import { ownValue } from "../support/ownValue";
import { InvalidDefinitionError } from "../support/errors";
import { Contract, PublishedEvent, contractLabel, contractProblem } from "./contract";
import { JsonSchema, validate } from "./schema";

/** What a mapping is given: one internal event as the ledger holds it, and the aggregate's state right after it. */
export interface PublicationInput<S, E extends EventShape> {
  readonly event: Recorded<E>;
  readonly state: S;
}

/**
 * For each internal event type of the domain (each optional: a type with no mapping publishes
 * nothing), the public event it becomes, or undefined for none this time.
 */
export type PublicationMappings<S, E extends EventShape, P extends EventShape> = {
  readonly [K in E["type"]]?: (input: PublicationInput<S, Extract<E, { type: K }>>) => P | undefined;
};

/** One mapping function, as the dispatcher calls it. */
export type PublicationMapping = (input: { readonly event: LedgerEvent; readonly state: unknown }) => EventShape | undefined;

/**
 * How a producer publishes one contract: which of its domain's events become which public events.
 * The dispatcher runs it on every event it folds, beside the state-carried message.
 */
export interface Publication {
  readonly contract: Contract;
  /** The name of the domain whose events it maps (`Domain.name`). */
  readonly domain: string;
  readonly mappings: { readonly [internalType: string]: PublicationMapping };
}

/**
 * Declares how a domain's events are published under a contract. TypeScript checks the keys against
 * the domain's event types, gives each mapping its event's payload and the state, and checks what it
 * returns against the contract's public events:
 *
 * ```ts
 * export default definePublication(ordersContract, orders, {
 *   OrderPlaced: ({ event, state }) => ({ type: "OrderPlaced", payload: { orderId: event.aggregateId, total: state.total } }),
 * });
 * ```
 */
export function definePublication<S, E extends EventShape, P extends EventShape>(
  contract: Contract<P>,
  domain: Domain<S, unknown, E>,
  mappings: NoInfer<PublicationMappings<S, E, P>>,
): Publication {
  const publication: Publication = {
    contract: contract as Contract,
    domain: domain.name,
    mappings: mappings as unknown as Publication["mappings"],
  };
  return requirePublications(publication, domain as unknown as Domain<unknown, unknown>)[0];
}

/**
 * A module's export as the publications of a domain: one, or a list. Throws an InvalidDefinitionError
 * naming what is wrong: not a publication, a contract that is not one, another domain's, a mapping of
 * an event type the domain does not have, two publications of one contract version.
 */
export function requirePublications(value: unknown, domain: Domain<unknown, unknown>, what = "the publications"): Publication[] {
  const list = Array.isArray(value) ? value : [value];
  const seen = new Set<string>();
  list.forEach((item, index) => {
    const at = Array.isArray(value) ? `${what}[${index}]` : what;
    if (!isPlainObject(item) || !isPlainObject(item.mappings))
      throw new InvalidDefinitionError(at, "is not a publication (use definePublication)");
    const problem = contractProblem(item.contract);
    if (problem) throw new InvalidDefinitionError(`${at}: its contract`, problem);
    const contract = item.contract as Contract;
    if (item.domain !== domain.name)
      throw new InvalidDefinitionError(at, `maps the events of domain "${String(item.domain)}", not of "${domain.name}"`);
    for (const [type, mapping] of Object.entries(item.mappings)) {
      if (!(type in domain.eventTypes))
        throw new InvalidDefinitionError(
          at,
          `maps "${type}", which domain ${domain.name} has no event type of (known: ${Object.keys(domain.eventTypes).join(", ")})`,
        );
      if (typeof mapping !== "function") throw new InvalidDefinitionError(at, `mappings.${type} is not a function`);
    }
    const label = `${contract.service}/${contractLabel(contract)}`;
    if (seen.has(label))
      throw new InvalidDefinitionError(at, `publishes ${label} a second time: give each contract version one publication`);
    seen.add(label);
  });
  return list as Publication[];
}

/** What a publication makes of one event: nothing, the public event, or why it cannot be published. */
export type PublicationOutcome = { readonly published?: PublishedEvent; readonly problem?: string };

/**
 * The public event one publication makes of one internal event, its payload checked against the
 * contract's schema; a replay is never published. `state` is the aggregate right after the event.
 */
export function publish(publication: Publication, event: LedgerEvent, state: unknown): PublicationOutcome {
  if (isReplay(event)) return {};
  const mapping = ownValue(publication.mappings, event.type);
  if (!mapping) return {};
  const { contract } = publication;
  const label = contractLabel(contract);
  const source = `${event.type} of aggregate "${event.aggregateId}" at version ${event.version}`;
  let mapped: unknown;
  try {
    mapped = mapping({ event, state });
  } catch (error) {
    return { problem: `${label}: the mapping of ${source} threw: ${(error as Error)?.message ?? String(error)}` };
  }
  if (mapped === undefined) return {};
  if (!isPlainObject(mapped) || typeof mapped.type !== "string")
    return { problem: `${label}: the mapping of ${source} returned ${JSON.stringify(mapped) ?? String(mapped)}, not a { type, payload }` };
  const schema = ownValue(contract.eventTypes as Record<string, JsonSchema>, mapped.type);
  if (!schema) {
    const known = Object.keys(contract.eventTypes).join(", ");
    return {
      problem: `${label}: the mapping of ${source} returned type "${mapped.type}", which the contract does not declare (known: ${known})`,
    };
  }
  const problems = validate(schema, mapped.payload);
  if (problems.length > 0) return { problem: `${label} ${mapped.type} (from ${source}) fails its schema: ${problems.join("; ")}` };
  const published = {
    type: mapped.type,
    payload: mapped.payload,
    contract: contract.name,
    contractVersion: contract.version,
    service: contract.service,
    aggregateId: event.aggregateId,
    version: event.version,
    timestamp: event.timestamp,
  } as PublishedEvent;
  return { published };
}
