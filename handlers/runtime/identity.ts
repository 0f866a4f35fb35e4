import { DYNAMODB_LIMITS } from "./storable";

/**
 * The one check of an aggregate id and of a version, wherever one arrives (a command, a commit,
 * a ledger read, a stream record, a queue message, a snapshot): what is wrong, or undefined.
 */
export function aggregateIdProblem(id: unknown): string | undefined {
  if (typeof id !== "string" || id.trim() === "") return "missing aggregate id";
  const bytes = Buffer.byteLength(id);
  if (bytes > DYNAMODB_LIMITS.partitionKeyBytes) return `aggregate id is ${bytes} bytes, over DynamoDB's ${DYNAMODB_LIMITS.partitionKeyBytes}-byte key limit`;
  return undefined;
}

export function versionProblem(version: unknown): string | undefined {
  return Number.isSafeInteger(version) && (version as number) >= 1 ? undefined : `version must be a positive integer, got ${JSON.stringify(version)}`;
}
