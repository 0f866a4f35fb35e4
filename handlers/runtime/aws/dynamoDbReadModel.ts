import { PROJECTION_PARTITION_KEY, PROJECTION_VERSION_ATTRIBUTE } from "../ledger/conventions";
import { ReadModelStore, WriteOutcome } from "../ledger/stores";
import { PoisonMessageError } from "../messages/errors";
import { isConditionFailure, plainItem, sentWithoutEffect } from "./documentClient";
import { DynamoDbClientInput, getItem, putItem } from "./items";
import type { GetCommandInput } from "@aws-sdk/lib-dynamodb";
import { unlessUnavailable } from "./transient";

/**
 * What reads a row by its key with a document client's method: DAX's `DaxDocument` (which refuses
 * `send`, so no command object reaches it) or lib-dynamodb's `DynamoDBDocument`.
 */
export interface RowReader {
  get(input: GetCommandInput): Promise<{ Item?: Record<string, unknown> }>;
}

export interface DynamoDbReadModelOptions {
  /** What `get` reads rows with instead of the client (e.g. a DAX cluster's `DaxDocument`). Writes always go through the client. */
  reader?: RowReader;
  /**
   * Read rows strongly consistently. Default true. False for a reader behind DAX, which answers
   * only eventually consistent reads from its cache (a consistent one passes through to the table).
   */
  consistentRead?: boolean;
}

/** A read model on DynamoDB: one row per aggregate, overwritten only by a higher version. */
export class DynamoDbReadModel implements ReadModelStore {
  constructor(
    private readonly db: DynamoDbClientInput,
    readonly tableName: string,
    private readonly options: DynamoDbReadModelOptions = {},
  ) {}

  async putIfNewer(id: string, version: number, row: Record<string, unknown>): Promise<WriteOutcome> {
    try {
      await putItem(this.db, {
        TableName: this.tableName,
        Item: { ...row, [PROJECTION_PARTITION_KEY]: id, [PROJECTION_VERSION_ATTRIBUTE]: version },
        ConditionExpression: "attribute_not_exists(#id) OR #v < :v",
        ExpressionAttributeNames: { "#id": PROJECTION_PARTITION_KEY, "#v": PROJECTION_VERSION_ATTRIBUTE },
        ExpressionAttributeValues: { ":v": version },
        // On a stale write the stored row comes back with the error: no extra read to log it.
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      });
      return { written: true };
    } catch (error) {
      // DynamoDB refused the item for what it holds: writing it again can never succeed.
      if (sentWithoutEffect(error) && (error as { name?: string }).name === "ValidationException") {
        throw new PoisonMessageError(`DynamoDB refuses the row of "${id}" at version ${version}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      if (!isConditionFailure(error)) throw error;
      // The item inside an error stays in DynamoDB's wire format.
      const stored = plainItem((error as { Item?: unknown }).Item);
      return { written: false, storedVersion: stored?.[PROJECTION_VERSION_ATTRIBUTE] as number | undefined };
    }
  }

  async get(id: string): Promise<Record<string, unknown> | undefined> {
    const input = {
      TableName: this.tableName,
      Key: { [PROJECTION_PARTITION_KEY]: id },
      ConsistentRead: this.options.consistentRead ?? true,
    };
    const reader = this.options.reader;
    return unlessUnavailable("GetItem", this.tableName, async () => (reader ? (await reader.get(input)).Item : getItem(this.db, input)));
  }
}
