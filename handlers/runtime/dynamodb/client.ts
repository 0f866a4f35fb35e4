import { AttributeValue, DynamoDBClient, DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";

/** Counts every request a client sends, by operation: what the benchmarks and load tests report. */
export class RequestCounter {
  readonly byOperation = new Map<string, number>();
  get total(): number {
    let sum = 0;
    for (const count of this.byOperation.values()) sum += count;
    return sum;
  }
  reset(): void {
    this.byOperation.clear();
  }
}

/**
 * A DynamoDB document client that drops undefined fields, optionally counting its requests. Given
 * a client, it shares that client's middleware (and so its instrumentation).
 */
export function documentClient(config: DynamoDBClientConfig | DynamoDBClient = {}, counter?: RequestCounter): DynamoDBDocumentClient {
  const client = config instanceof DynamoDBClient ? config : new DynamoDBClient(config);
  if (counter) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? "unknown").replace(/Command$/, "");
        counter.byOperation.set(operation, (counter.byOperation.get(operation) ?? 0) + 1);
        return next(args);
      },
      { step: "initialize", name: "requestCounter" },
    );
  }
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** True for the SDK's error of a failed ConditionExpression. */
export const isConditionFailure = (error: unknown): boolean =>
  (error as { name?: string })?.name === "ConditionalCheckFailedException";

const ATTRIBUTE_TYPES = new Set(["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"]);

/**
 * An item returned inside an error (ReturnValuesOnConditionCheckFailure, cancellation reasons)
 * as plain values: the document client leaves those in DynamoDB's wire format.
 */
export function plainItem(item: unknown): Record<string, unknown> | undefined {
  if (typeof item !== "object" || item === null) return undefined;
  const values = Object.values(item as Record<string, unknown>);
  const wire = values.length > 0 && values.every((value) => typeof value === "object" && value !== null && Object.keys(value).length === 1 && ATTRIBUTE_TYPES.has(Object.keys(value)[0]));
  return wire ? unmarshall(item as Record<string, AttributeValue>) : (item as Record<string, unknown>);
}

const THROTTLING = new Set(["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded", "TransactionInProgressException", "LimitExceededException"]);

/**
 * True when the service answered a single attempt with a client error that is not throttling
 * (validation, access denied, missing table): the request was certainly not applied. Errors with
 * no answer (timeouts, resets), 5xx and anything after SDK retries leave the outcome open.
 */
export function sentWithoutEffect(error: unknown): boolean {
  const failure = error as { name?: string; $metadata?: { httpStatusCode?: number; attempts?: number } };
  const status = failure?.$metadata?.httpStatusCode;
  return status !== undefined && status >= 400 && status < 500 && !THROTTLING.has(failure.name ?? "") && (failure.$metadata?.attempts ?? 1) <= 1;
}
