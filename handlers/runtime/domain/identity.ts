import { DYNAMODB_LIMITS } from "./storable";

/** The longest aggregate id, in UTF-8 bytes: the ledger's index of aggregates sorts on it. */
export const MAX_AGGREGATE_ID_BYTES = DYNAMODB_LIMITS.sortKeyBytes;

/**
 * The one check of an aggregate id and of a version, wherever one arrives (a command, a commit,
 * a ledger read, a stream record, a queue message, a snapshot): what is wrong, or undefined.
 */
export function aggregateIdProblem(id: unknown): string | undefined {
  if (typeof id !== "string" || id.trim() === "") return "missing aggregate id";
  const bytes = Buffer.byteLength(id);
  if (bytes > MAX_AGGREGATE_ID_BYTES)
    return `aggregate id is ${bytes} bytes; at most ${MAX_AGGREGATE_ID_BYTES} are allowed (the ledger's index of aggregates keys on it, and DynamoDB's sort keys hold ${DYNAMODB_LIMITS.sortKeyBytes} bytes)`;
  return undefined;
}

export function versionProblem(version: unknown): string | undefined {
  return Number.isSafeInteger(version) && (version as number) >= 1
    ? undefined
    : `version must be a positive integer, got ${JSON.stringify(version)}`;
}
