import { DynamoDBClient, DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { documentClient } from "../handlers/runtime/aws/documentClient";

/**
 * Counts every request a DynamoDB client sends, by operation, and the items its queries return per
 * table: what the benchmarks, the load tests and the local stage report. An instrument, not part of
 * the runtime: it watches the client from outside through SDK middleware.
 */
export class RequestCounter {
  readonly byOperation = new Map<string, number>();
  private readonly items = new Map<string, number>();

  get total(): number {
    let sum = 0;
    for (const count of this.byOperation.values()) sum += count;
    return sum;
  }

  /** Items returned by queries on a table's own key (index queries excluded) since creation. */
  itemsRead(table: string): number {
    return this.items.get(table) ?? 0;
  }

  reset(): void {
    this.byOperation.clear();
  }

  /** Adds the counting middleware to a client; every document client built on it shares it. */
  watch(client: DynamoDBClient): DynamoDBClient {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? "unknown").replace(/Command$/, "");
        this.byOperation.set(operation, (this.byOperation.get(operation) ?? 0) + 1);
        const result = await next(args);
        const input = args.input as { TableName?: string; IndexName?: string };
        const output = result.output as { Items?: unknown[] };
        if (operation === "Query" && input.TableName && !input.IndexName) {
          this.items.set(input.TableName, this.itemsRead(input.TableName) + (output.Items?.length ?? 0));
        }
        return result;
      },
      { step: "initialize", name: "requestCounter" },
    );
    return client;
  }
}

/** A document client whose requests `counter` counts. */
export const countedDocumentClient = (config: DynamoDBClientConfig, counter: RequestCounter): DynamoDBDocumentClient =>
  documentClient(counter.watch(new DynamoDBClient(config)));
