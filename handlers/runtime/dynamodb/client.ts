import { DynamoDBClient, DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

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

/** A DynamoDB document client that drops undefined fields, optionally counting its requests. */
export function documentClient(config: DynamoDBClientConfig = {}, counter?: RequestCounter): DynamoDBDocumentClient {
  const client = new DynamoDBClient(config);
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
