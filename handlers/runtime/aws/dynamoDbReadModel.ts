import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { PROJECTION_PARTITION_KEY, PROJECTION_VERSION_ATTRIBUTE } from "../ledger/conventions";
import { ReadModelStore, WriteOutcome } from "../ledger/stores";
import { PoisonMessageError } from "../messages/errors";
import { isConditionFailure, plainItem, sentWithoutEffect } from "./documentClient";
import { unlessUnavailable } from "./transient";

export interface DynamoDbReadModelOptions {
  /**
   * Read rows strongly consistently. Default true. False for a reader behind DAX, which answers
   * only eventually consistent reads from its cache (a consistent one passes through to the table).
   */
  consistentRead?: boolean;
}

/** A read model on DynamoDB: one row per aggregate, overwritten only by a higher version. */
export class DynamoDbReadModel implements ReadModelStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
    private readonly options: DynamoDbReadModelOptions = {},
  ) {}

  async putIfNewer(id: string, version: number, row: Record<string, unknown>): Promise<WriteOutcome> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...row, [PROJECTION_PARTITION_KEY]: id, [PROJECTION_VERSION_ATTRIBUTE]: version },
          ConditionExpression: "attribute_not_exists(#id) OR #v < :v",
          ExpressionAttributeNames: { "#id": PROJECTION_PARTITION_KEY, "#v": PROJECTION_VERSION_ATTRIBUTE },
          ExpressionAttributeValues: { ":v": version },
          // On a stale write the stored row comes back with the error: no extra read to log it.
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return { written: true };
    } catch (error) {
      // DynamoDB refused the item for what it holds: writing it again can never succeed.
      if (sentWithoutEffect(error) && (error as { name?: string }).name === "ValidationException") {
        throw new PoisonMessageError(`DynamoDB refuses the row of "${id}" at version ${version}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      if (!isConditionFailure(error)) throw error;
      // The document client leaves the item inside an error in DynamoDB's wire format.
      const stored = plainItem((error as { Item?: unknown }).Item);
      return { written: false, storedVersion: stored?.[PROJECTION_VERSION_ATTRIBUTE] as number | undefined };
    }
  }

  async get(id: string): Promise<Record<string, unknown> | undefined> {
    const result = await unlessUnavailable("GetItem", this.tableName, () =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [PROJECTION_PARTITION_KEY]: id },
          ConsistentRead: this.options.consistentRead ?? true,
        }),
      ),
    );
    return result.Item;
  }
}
