import { EventShape, isPlainObject } from "../domain/domain";
import { ownValue } from "../support/ownValue";
import { InvalidDefinitionError } from "../support/errors";
import { JsonSchema, schemaProblem, validate } from "./schema";

/**
 * What a service promises to publish for other services: public event types with payloads of their
 * own, versioned apart from the aggregate they are derived from. Subscribers type against the
 * contract only, so the producer may refactor its aggregate freely; a breaking change to a payload
 * is a new contract version, published beside the old one until its subscribers have moved.
 * E: the public events, a union of `{ type; payload }` shapes.
 */
export interface Contract<E extends EventShape = EventShape> {
  /** The producing service's name: the `source` of its bus's events. */
  readonly service: string;
  /** The contract's name, unique within the service, e.g. "orders". */
  readonly name: string;
  /** The contract's major version (1 or more): a breaking change to any payload is a new version. */
  readonly version: number;
  /**
   * Every public event type with the JSON Schema its payload meets (the subset `JsonSchema` lists),
   * checked when the producer publishes it and when a subscriber receives it.
   */
  readonly eventTypes: { readonly [K in E["type"]]: JsonSchema };
}

/** The events a contract declares. */
export type ContractEvents<C> = C extends Contract<infer E> ? E : never;

/** A public event as it travels on the producer's bus (the EventBridge `detail`). */
export type PublishedEvent<E extends EventShape = EventShape> = E extends unknown
  ? E & {
      /** The contract's name and version. */
      readonly contract: string;
      readonly contractVersion: number;
      /** The producing service. */
      readonly service: string;
      /** The aggregate of the producer the event is about, and its version there. */
      readonly aggregateId: string;
      readonly version: number;
      /** When the producer's ledger recorded it (ISO-8601). */
      readonly timestamp: string;
    }
  : never;

/**
 * Declares a contract, checking its name, version and schemas. Name the public events to have the
 * event types' keys checked against them: `defineContract<OrdersPublicEvents>({ ... })`.
 */
export const defineContract = <E extends EventShape>(contract: Contract<E>): Contract<E> => requireContract(contract);

/** The EventBridge detail-type of a contract's public event: its name, major version and type. */
export const publishedDetailType = (contract: Pick<Contract, "name" | "version">, eventType: string): string =>
  `${contract.name}.v${contract.version}.${eventType}`;

/** The contract as a subscriber and an error message name it: `orders.v1`. */
export const contractLabel = (contract: Pick<Contract, "name" | "version">): string => `${contract.name}.v${contract.version}`;

/** The value as a contract, or an InvalidDefinitionError saying what it lacks. */
export function requireContract<C>(value: C, what = "the contract"): C {
  const problem = contractProblem(value);
  if (problem) throw new InvalidDefinitionError(what, problem);
  return value;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** What is wrong with a value given as a contract, or undefined when it has a contract's shape. */
export function contractProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return "is not a contract (use defineContract)";
  if (typeof value.service !== "string" || value.service === "") return "names no service";
  if (typeof value.name !== "string" || !NAME.test(value.name)) return "needs a name of 1 to 64 letters, digits, '-' or '_'";
  if (!Number.isSafeInteger(value.version) || (value.version as number) < 1) return "needs an integer version of at least 1";
  if (!isPlainObject(value.eventTypes) || Object.keys(value.eventTypes).length === 0) return "declares no eventTypes";
  for (const [type, schema] of Object.entries(value.eventTypes)) {
    if (!/^[A-Za-z0-9_.-]+$/.test(type)) return `event type "${type}" may hold only letters, digits, '.', '-' or '_'`;
    const problem = schemaProblem(schema, `eventTypes.${type}`);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * The JSON Schema of the fields every PublishedEvent of the contract carries besides `type` and
 * `payload`: what a subscriber may rely on whatever the event type.
 */
export function envelopeSchema(contract: Pick<Contract, "name" | "version" | "service">): JsonSchema {
  return {
    type: "object",
    properties: {
      contract: { const: contract.name, description: "The contract's name." },
      contractVersion: { const: contract.version, description: "The contract's major version." },
      service: { const: contract.service, description: "The producing service: the EventBridge source." },
      aggregateId: { type: "string", minLength: 1, description: "The producer's aggregate the event is about." },
      version: { type: "integer", minimum: 1, description: "The aggregate's version the event was recorded at." },
      timestamp: { type: "string", format: "date-time", description: "When the producer's ledger recorded it." },
    },
    required: ["contract", "contractVersion", "service", "aggregateId", "version", "timestamp"],
  };
}

/**
 * Every way a received `detail` fails to be one of the contract's published events (its envelope, its
 * type, its payload against the type's schema), each naming the path that is wrong; empty when it is one.
 */
export function publishedEventProblems(contract: Contract, detail: unknown): string[] {
  if (!isPlainObject(detail)) return validate({ type: "object" }, detail, "event");
  const problems = validate(envelopeSchema(contract), detail, "event");
  const schema = typeof detail.type === "string" ? ownValue(contract.eventTypes as Record<string, JsonSchema>, detail.type) : undefined;
  if (!schema) {
    const known = Object.keys(contract.eventTypes).join(", ");
    return [...problems, `event.type: ${JSON.stringify(detail.type)} is not an event type of ${contractLabel(contract)} (known: ${known})`];
  }
  return [...problems, ...validate(schema, detail.payload, "event.payload")];
}
