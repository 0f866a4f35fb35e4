import { isPlainObject } from "../domain/domain";
import { InvalidDefinitionError } from "../support/errors";
import { Contract, contractProblem, envelopeSchema, publishedDetailType } from "./contract";
import { JsonSchema } from "./schema";

/**
 * A contract's published form: what a producer commits (`<dir>/<name>.v<version>.json`) and shares
 * with its subscribers, and what its compatibility test compares the contract against.
 */
export interface ContractDocument {
  readonly name: string;
  readonly version: number;
  readonly service: string;
  /** The fields every published event carries besides `type` and `payload`. */
  readonly envelope: JsonSchema;
  /** Each event type (in name order): its EventBridge detail-type and its payload's schema. */
  readonly eventTypes: { readonly [type: string]: { readonly detailType: string; readonly payload: JsonSchema } };
}

/** The contract's published form. */
export function contractDocument(contract: Contract): ContractDocument {
  const schemas = contract.eventTypes as Record<string, JsonSchema>;
  return {
    name: contract.name,
    version: contract.version,
    service: contract.service,
    envelope: envelopeSchema(contract),
    eventTypes: Object.fromEntries(
      Object.keys(schemas)
        .sort()
        .map((type) => [type, { detailType: publishedDetailType(contract, type), payload: schemas[type] }]),
    ),
  };
}

/** The file name a contract's document is committed under: `<name>.v<version>.json`. */
export const contractFileName = (contract: Pick<Contract, "name" | "version">): string => `${contract.name}.v${contract.version}.json`;

/** The contract a published document declares, or an InvalidDefinitionError naming what it lacks (`what`: where it came from). */
export function contractFromDocument(document: unknown, what = "the contract document"): Contract {
  if (!isPlainObject(document) || !isPlainObject(document.eventTypes))
    throw new InvalidDefinitionError(what, "is not a contract document (no eventTypes object)");
  const eventTypes: Record<string, JsonSchema> = {};
  for (const [type, entry] of Object.entries(document.eventTypes)) {
    if (!isPlainObject(entry) || !isPlainObject(entry.payload))
      throw new InvalidDefinitionError(what, `eventTypes.${type} has no payload schema`);
    eventTypes[type] = entry.payload as JsonSchema;
  }
  const contract = { service: document.service, name: document.name, version: document.version, eventTypes } as Contract;
  const problem = contractProblem(contract);
  if (problem) throw new InvalidDefinitionError(what, problem);
  return contract;
}
