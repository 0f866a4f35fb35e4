import { AttributeValue, DynamoDBClient, DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { isTransient } from "./transient";

/** A DynamoDB document client that drops undefined fields; given a client, it shares that client's middleware. */
export const documentClient = (config: DynamoDBClientConfig | DynamoDBClient = {}): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(config instanceof DynamoDBClient ? config : new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });

/** True for the SDK's error of a failed ConditionExpression. */
export const isConditionFailure = (error: unknown): boolean => (error as { name?: string })?.name === "ConditionalCheckFailedException";

const ATTRIBUTE_TYPES = new Set(["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"]);

/**
 * An item returned inside an error (ReturnValuesOnConditionCheckFailure, cancellation reasons)
 * as plain values: the SDK leaves those in DynamoDB's wire format, document client or not.
 */
export function plainItem(item: unknown): Record<string, unknown> | undefined {
  if (typeof item !== "object" || item === null) return undefined;
  const values = Object.values(item as Record<string, unknown>);
  const wire =
    values.length > 0 &&
    values.every(
      (value) =>
        typeof value === "object" && value !== null && Object.keys(value).length === 1 && ATTRIBUTE_TYPES.has(Object.keys(value)[0]),
    );
  return wire ? unmarshall(item as Record<string, AttributeValue>) : (item as Record<string, unknown>);
}

/**
 * True when the service answered a single attempt with a client error that is not transient
 * (validation, access denied, missing table; see `isTransient`): the request was certainly not applied. Errors with
 * no answer (timeouts, resets), 5xx and anything after SDK retries leave the outcome open.
 */
export function sentWithoutEffect(error: unknown): boolean {
  const failure = error as { name?: string; $metadata?: { httpStatusCode?: number; attempts?: number } };
  const status = failure?.$metadata?.httpStatusCode;
  return status !== undefined && status >= 400 && status < 500 && !isTransient(error) && (failure.$metadata?.attempts ?? 1) <= 1;
}
