import {
  AttributeValue,
  BatchGetItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type {
  BatchGetCommandInput,
  DynamoDBDocumentClient,
  GetCommandInput,
  PutCommandInput,
  QueryCommandInput,
  ScanCommandInput,
  TransactWriteCommandInput,
  UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";

/**
 * The client the stores send with: a DynamoDB client, or a document client over one (or DAX's),
 * through which the same low-level commands go. The functions build a plain client with
 * `cacheMiddleware` (which no document client accepts).
 */
export type DynamoDbClientInput = DynamoDBClient | DynamoDBDocumentClient;

/** A plain item: attribute names to JavaScript values. */
export type Item = Record<string, unknown>;

/*
 * The requests the runtime's stores send, on plain items: each marshals its input and unmarshals
 * its answer itself, as the document client would (undefined fields dropped), and sends the
 * low-level command. This spares the document client's per-call middleware and lets the client
 * resolve its middleware once per command type (bench "SDK work alone": 25-35% less CPU per
 * ledger append and read). An item inside an error (a condition failure's, a cancellation
 * reason's) stays in DynamoDB's wire format, as with the document client: `plainItem` reads both.
 */

const toWire = (item: Item): Record<string, AttributeValue> => marshall(item, { removeUndefinedValues: true });
const fromWire = (item: Record<string, AttributeValue>): Item => unmarshall(item);
const optionalToWire = (item: Item | undefined) => (item === undefined ? undefined : toWire(item));
const optionalFromWire = (item: Record<string, AttributeValue> | undefined) => (item === undefined ? undefined : fromWire(item));

const sendWith = <O>(db: DynamoDbClientInput, command: object): Promise<O> =>
  (db as unknown as { send(command: object): Promise<O> }).send(command);

export async function putItem(db: DynamoDbClientInput, input: PutCommandInput): Promise<void> {
  await sendWith(
    db,
    new PutItemCommand({ ...input, Item: toWire(input.Item!), ExpressionAttributeValues: optionalToWire(input.ExpressionAttributeValues) }),
  );
}

export async function getItem(db: DynamoDbClientInput, input: GetCommandInput): Promise<Item | undefined> {
  const answer = await sendWith<{ Item?: Record<string, AttributeValue> }>(db, new GetItemCommand({ ...input, Key: toWire(input.Key!) }));
  return optionalFromWire(answer.Item);
}

/** One page of a query or scan: its items and where the next page starts (undefined on the last). */
export interface ItemPage {
  items: Item[];
  lastKey?: Item;
  /** Items that matched (all of them for `Select: "COUNT"`, which returns none). */
  count: number;
  /** Items read before any filter. */
  scannedCount: number;
}

interface WirePage {
  Items?: Record<string, AttributeValue>[];
  LastEvaluatedKey?: Record<string, AttributeValue>;
  Count?: number;
  ScannedCount?: number;
}

const pageOf = (answer: WirePage): ItemPage => ({
  items: (answer.Items ?? []).map(fromWire),
  lastKey: optionalFromWire(answer.LastEvaluatedKey),
  count: answer.Count ?? answer.Items?.length ?? 0,
  scannedCount: answer.ScannedCount ?? answer.Count ?? answer.Items?.length ?? 0,
});

export async function queryItems(db: DynamoDbClientInput, input: QueryCommandInput): Promise<ItemPage> {
  if (input.KeyConditions || input.QueryFilter) throw new TypeError("queryItems takes key condition expressions only");
  const command = new QueryCommand({
    ...(input as Omit<QueryCommandInput, "KeyConditions" | "QueryFilter">),
    ExpressionAttributeValues: optionalToWire(input.ExpressionAttributeValues),
    ExclusiveStartKey: optionalToWire(input.ExclusiveStartKey),
  });
  return pageOf(await sendWith<WirePage>(db, command));
}

export async function scanItems(db: DynamoDbClientInput, input: ScanCommandInput): Promise<ItemPage> {
  if (input.ScanFilter) throw new TypeError("scanItems takes filter expressions only");
  const command = new ScanCommand({
    ...(input as Omit<ScanCommandInput, "ScanFilter">),
    ExpressionAttributeValues: optionalToWire(input.ExpressionAttributeValues),
    ExclusiveStartKey: optionalToWire(input.ExclusiveStartKey),
  });
  return pageOf(await sendWith<WirePage>(db, command));
}

/** The items found per table, and the keys DynamoDB left unprocessed per table (to ask again). */
export interface BatchGetAnswer {
  responses: Record<string, Item[]>;
  unprocessed: Record<string, Item[]>;
}

/** A BatchGetItem of plain keys; each table's `Keys` and `ConsistentRead` as the request gives them. */
export async function batchGetItems(db: DynamoDbClientInput, input: BatchGetCommandInput): Promise<BatchGetAnswer> {
  const requestItems = Object.fromEntries(
    Object.entries(input.RequestItems ?? {}).map(([table, request]) => [table, { ...request, Keys: (request.Keys ?? []).map(toWire) }]),
  );
  const answer = await sendWith<{
    Responses?: Record<string, Record<string, AttributeValue>[]>;
    UnprocessedKeys?: Record<string, { Keys?: Record<string, AttributeValue>[] }>;
  }>(db, new BatchGetItemCommand({ ...input, RequestItems: requestItems }));
  const perTable = <T>(entries: Record<string, T> | undefined, items: (value: T) => Record<string, AttributeValue>[] | undefined) =>
    Object.fromEntries(Object.entries(entries ?? {}).map(([table, value]) => [table, (items(value) ?? []).map(fromWire)]));
  return { responses: perTable(answer.Responses, (items) => items), unprocessed: perTable(answer.UnprocessedKeys, (keys) => keys.Keys) };
}

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** One action of a transaction with its item, key and values marshalled. */
function wireAction(action: TransactItem) {
  const values = (input: { ExpressionAttributeValues?: Item }) => ({
    ExpressionAttributeValues: optionalToWire(input.ExpressionAttributeValues),
  });
  if (action.Put) return { Put: { ...action.Put, Item: toWire(action.Put.Item!), ...values(action.Put) } };
  if (action.ConditionCheck)
    return { ConditionCheck: { ...action.ConditionCheck, Key: toWire(action.ConditionCheck.Key!), ...values(action.ConditionCheck) } };
  throw new TypeError("a transaction action here is a Put or a ConditionCheck");
}

/**
 * The request of a TransactWriteItems, built once: a commit sent again after a lost answer sends
 * the identical request (and client token).
 */
export function transactWriteRequest(input: TransactWriteCommandInput): object {
  return new TransactWriteItemsCommand({ ...input, TransactItems: (input.TransactItems ?? []).map(wireAction) as never });
}

/** Sends a request built by `transactWriteRequest`. */
export async function sendRequest(db: DynamoDbClientInput, request: object): Promise<void> {
  await sendWith(db, request);
}

/** An UpdateItem; the item's attributes before or after it, as `ReturnValues` asks. */
export async function updateItem(db: DynamoDbClientInput, input: UpdateCommandInput): Promise<Item | undefined> {
  if (input.AttributeUpdates || input.Expected) throw new TypeError("updateItem takes update and condition expressions only");
  const command = new UpdateItemCommand({
    ...(input as Omit<UpdateCommandInput, "AttributeUpdates" | "Expected">),
    Key: toWire(input.Key!),
    ExpressionAttributeValues: optionalToWire(input.ExpressionAttributeValues),
  });
  const answer = await sendWith<{ Attributes?: Record<string, AttributeValue> }>(db, command);
  return optionalFromWire(answer.Attributes);
}
