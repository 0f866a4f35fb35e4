/**
 * The write and read units each DynamoDB request would consume on AWS, from the sizes of the items
 * it writes and reads, rounded the way DynamoDB rounds them (DynamoDB Local does not return consumed
 * capacity reliably): a write takes 1 unit per KB of the item (the larger of the old and the new
 * item when it replaces one), a strongly consistent read 1 per 4 KB (a query sums its items before
 * rounding, a batch get rounds each item), half for an eventually consistent one, and a
 * transaction twice either. A write that puts an item into a keys-only global secondary index
 * takes 1 more unit for the index. A refused conditional write is charged as if it had written.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
 */
import { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { itemSize } from "../handlers/runtime/domain/storable";
import { TableSchema } from "../handlers/runtime/ledger/tableSchemas";

/** What requests of one scope (a component, on one table) consumed. */
export interface Consumption {
  requests: number;
  writeUnits: number;
  readUnits: number;
  /** Items written (puts, transaction puts) and their bytes: the floor's write sizes. */
  itemsWritten: number;
  bytesWritten: number;
}

/** One request's units on one table. */
export interface TableUnits {
  table: string;
  writeUnits: number;
  readUnits: number;
  itemsWritten: number;
  bytesWritten: number;
}

type Item = Record<string, unknown>;
type Wire = Record<string, AttributeValue>;

export const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));
export const readUnits = (bytes: number, consistent: boolean): number => Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

const emptyConsumption = (): Consumption => ({ requests: 0, writeUnits: 0, readUnits: 0, itemsWritten: 0, bytesWritten: 0 });

/**
 * Units of DynamoDB requests by scope. It keeps the size of every item written through it, so a
 * replacing write, a delete or a transaction's condition check on such an item is charged at its
 * size; an item it never saw counts as the smallest (1 unit).
 */
export class CapacityMeter {
  readonly byScope = new Map<string, Consumption>();
  private readonly sizes = new Map<string, number>();

  /** `tables`: the key schema and keys-only indexes of every table the requests may name. */
  constructor(private readonly tables: Readonly<Record<string, TableSchema>>) {}

  /** Adds the meter to a client: each request's units go to `scope(table)`. Every document client on it is metered too. */
  watch<C extends DynamoDBClient | DynamoDBDocumentClient>(client: C, scope: (table: string) => string): C {
    (client.middlewareStack as DynamoDBClient["middlewareStack"]).add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? "").replace(/Command$/, "");
        const input = args.input as Record<string, unknown>;
        // Document clients have marshalled the input by now and unmarshall the output above this step.
        const features = (context as { __aws_sdk_context?: { features?: Record<string, string> } }).__aws_sdk_context?.features;
        const documentOutput = features?.DDB_MAPPER === "d";
        let output: Record<string, unknown> | undefined;
        try {
          const result = await next(args);
          output = result.output as unknown as Record<string, unknown>;
          return result;
        } finally {
          for (const units of this.units(operation, input, output, documentOutput)) {
            const key = scope(units.table);
            const total = this.byScope.get(key) ?? emptyConsumption();
            this.byScope.set(key, {
              requests: total.requests,
              writeUnits: total.writeUnits + units.writeUnits,
              readUnits: total.readUnits + units.readUnits,
              itemsWritten: total.itemsWritten + units.itemsWritten,
              bytesWritten: total.bytesWritten + units.bytesWritten,
            });
          }
          const scopes = new Set(tablesOf(input).map(scope));
          for (const key of scopes) {
            const total = this.byScope.get(key) ?? emptyConsumption();
            this.byScope.set(key, { ...total, requests: total.requests + 1 });
          }
        }
      },
      { step: "build", name: "capacityMeter" },
    );
    return client;
  }

  /** Everything of the scopes `select` picks, added up. */
  total(select: (scope: string) => boolean = () => true): Consumption {
    const sum = emptyConsumption();
    for (const [scope, consumption] of this.byScope) {
      if (!select(scope)) continue;
      for (const key of Object.keys(sum) as (keyof Consumption)[]) sum[key] += consumption[key];
    }
    return sum;
  }

  /**
   * The units of one request on each table it names: `input` in DynamoDB's wire form, `output`
   * (undefined when the request failed) in wire form, or unmarshalled when `documentOutput`.
   */
  units(
    operation: string,
    input: Record<string, unknown>,
    output: Record<string, unknown> | undefined,
    documentOutput: boolean,
  ): TableUnits[] {
    const native = (item: unknown): Item => (documentOutput ? (item as Item) : unmarshall(item as Wire));
    const table = input.TableName as string;
    switch (operation) {
      case "PutItem":
        return [this.put(table, unmarshall(input.Item as Wire), 1, output !== undefined)];
      case "DeleteItem":
        return [this.existing(table, unmarshall(input.Key as Wire), 1, output !== undefined)];
      case "UpdateItem":
        return [this.update(table, input, 1, output !== undefined)];
      case "BatchWriteItem":
        return Object.entries(input.RequestItems as Record<string, { PutRequest?: { Item: Wire }; DeleteRequest?: { Key: Wire } }[]>).map(
          ([name, requests]) =>
            sumUnits(
              name,
              requests.map((request) =>
                request.PutRequest
                  ? this.put(name, unmarshall(request.PutRequest.Item), 1, output !== undefined)
                  : this.existing(name, unmarshall(request.DeleteRequest!.Key), 1, output !== undefined),
              ),
            ),
        );
      case "TransactWriteItems":
        return this.transactWrite(input, output !== undefined);
      case "GetItem": {
        const item = output?.Item ? native(output.Item) : undefined;
        return [readOnly(table, readUnits(item ? itemSize(item) : 0, input.ConsistentRead === true))];
      }
      case "BatchGetItem":
        return Object.entries(input.RequestItems as Record<string, { Keys: Wire[]; ConsistentRead?: boolean }>).map(([name, asked]) => {
          const found = ((output?.Responses as Record<string, unknown[]> | undefined)?.[name] ?? []).map(native);
          const missing = Math.max(0, asked.Keys.length - found.length);
          const consistent = asked.ConsistentRead === true;
          const units =
            found.reduce((sum: number, item) => sum + readUnits(itemSize(item), consistent), 0) + missing * readUnits(0, consistent);
          return readOnly(name, units);
        });
      case "Query":
      case "Scan": {
        const items = ((output?.Items as unknown[] | undefined) ?? []).map(native);
        const bytes = items.reduce((sum: number, item) => sum + itemSize(item), 0);
        return [readOnly(table, readUnits(bytes, input.ConsistentRead === true && input.IndexName === undefined))];
      }
      case "TransactGetItems":
        return (input.TransactItems as { Get: { TableName: string; Key: Wire } }[]).map(({ Get }) =>
          readOnly(Get.TableName, 2 * readUnits(this.sizes.get(this.key(Get.TableName, unmarshall(Get.Key))) ?? 0, true)),
        );
      default:
        return [];
    }
  }

  private transactWrite(input: Record<string, unknown>, succeeded: boolean): TableUnits[] {
    type Action = { Put?: { TableName: string; Item: Wire }; ConditionCheck?: { TableName: string; Key: Wire } } & Record<
      "Update" | "Delete",
      { TableName: string; Key: Wire; ExpressionAttributeValues?: Wire } | undefined
    >;
    const parts = (input.TransactItems as Action[]).map((action) => {
      if (action.Put) return this.put(action.Put.TableName, unmarshall(action.Put.Item), 2, succeeded);
      if (action.ConditionCheck) return this.existing(action.ConditionCheck.TableName, unmarshall(action.ConditionCheck.Key), 2, false);
      if (action.Update) return this.update(action.Update.TableName, action.Update as Record<string, unknown>, 2, succeeded);
      return this.existing(action.Delete!.TableName, unmarshall(action.Delete!.Key), 2, succeeded);
    });
    const tables = [...new Set(parts.map((part) => part.table))];
    return tables.map((table) =>
      sumUnits(
        table,
        parts.filter((part) => part.table === table),
      ),
    );
  }

  /** A put: its own size or the item it replaces, whichever is larger, times `factor`; plus its index entries. */
  private put(table: string, item: Item, factor: number, succeeded: boolean): TableUnits {
    const bytes = itemSize(item);
    const key = this.key(table, item);
    const before = this.sizes.get(key) ?? 0;
    if (succeeded) this.sizes.set(key, bytes);
    const indexed = (this.tables[table]?.indexes ?? []).filter(
      (index) => item[index.partitionKey.name] !== undefined && item[index.sortKey.name] !== undefined,
    ).length;
    return {
      table,
      writeUnits: factor * writeUnits(Math.max(bytes, before)) + indexed,
      readUnits: 0,
      itemsWritten: 1,
      bytesWritten: bytes,
    };
  }

  /** A delete (`deleted`: the item's size is then forgotten) or a condition check: the size of the item it names. */
  private existing(table: string, key: Item, factor: number, deleted: boolean): TableUnits {
    const id = this.key(table, key);
    const bytes = this.sizes.get(id) ?? 0;
    if (deleted) this.sizes.delete(id);
    return { table, writeUnits: factor * writeUnits(bytes), readUnits: 0, itemsWritten: 0, bytesWritten: 0 };
  }

  /** An update: the larger of the item before and an estimate after (before plus the values it sets). */
  private update(table: string, input: Record<string, unknown>, factor: number, succeeded: boolean): TableUnits {
    const key = unmarshall(input.Key as Wire);
    const id = this.key(table, key);
    const values = input.ExpressionAttributeValues ? itemSize(unmarshall(input.ExpressionAttributeValues as Wire)) : 0;
    const before = this.sizes.get(id) ?? itemSize(key);
    const after = before + values;
    if (succeeded) this.sizes.set(id, after);
    return { table, writeUnits: factor * writeUnits(after), readUnits: 0, itemsWritten: 0, bytesWritten: 0 };
  }

  private key(table: string, item: Item): string {
    const schema = this.tables[table];
    if (!schema) throw new Error(`the capacity meter knows no table "${table}": give its schema`);
    return JSON.stringify([table, item[schema.partitionKey.name], schema.sortKey ? item[schema.sortKey.name] : null]);
  }
}

const readOnly = (table: string, units: number): TableUnits => ({
  table,
  writeUnits: 0,
  readUnits: units,
  itemsWritten: 0,
  bytesWritten: 0,
});

function sumUnits(table: string, parts: TableUnits[]): TableUnits {
  return parts.reduce(
    (sum, part) => ({
      table,
      writeUnits: sum.writeUnits + part.writeUnits,
      readUnits: sum.readUnits + part.readUnits,
      itemsWritten: sum.itemsWritten + part.itemsWritten,
      bytesWritten: sum.bytesWritten + part.bytesWritten,
    }),
    readOnly(table, 0),
  );
}

/** The tables a request names. */
function tablesOf(input: Record<string, unknown>): string[] {
  if (typeof input.TableName === "string") return [input.TableName];
  if (input.RequestItems) return Object.keys(input.RequestItems as object);
  if (Array.isArray(input.TransactItems)) {
    return [
      ...new Set((input.TransactItems as Record<string, { TableName: string }>[]).map((action) => Object.values(action)[0].TableName)),
    ];
  }
  return [];
}
