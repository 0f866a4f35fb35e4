import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { IDEMPOTENCY_PARTITION_KEY } from "../ledger/conventions";
import { ClaimOutcome, ReactionCheckpoints, claimOutcome } from "../reaction/checkpoints";
import { unlessUnavailable } from "./transient";

type Stored = { acted?: number; pending?: number };

/**
 * Reaction checkpoints as items of the reacting service's idempotency table (keys apart from any
 * client's, with no expiry: a checkpoint outlives the keys' retention). Each step is one conditional
 * UpdateItem; each may be sent again after a lost answer and finds its own effect.
 */
export class DynamoDbReactionCheckpoints implements ReactionCheckpoints {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(key: string, version: number): Promise<ClaimOutcome> {
    try {
      const { Attributes } = await this.update("claim", {
        Key: { [IDEMPOTENCY_PARTITION_KEY]: key },
        UpdateExpression: "SET pending = :version, acted = if_not_exists(acted, :none)",
        // Claimable: nothing at or above it acted on, and no other version being acted on.
        ConditionExpression: "(attribute_not_exists(acted) OR acted < :version) AND (attribute_not_exists(pending) OR pending = :version)",
        ExpressionAttributeValues: { ":version": version, ":none": 0 },
        ReturnValues: "ALL_OLD",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      });
      return { status: "claimed", previousVersion: (Attributes as Stored | undefined)?.acted ?? 0 };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        return claimOutcome(error.Item ? storedOf(error.Item as Record<string, unknown>) : undefined, version);
      throw error;
    }
  }

  async complete(key: string, version: number): Promise<void> {
    await this.settle("complete", key, version, "SET acted = :version REMOVE pending");
  }

  async release(key: string, version: number): Promise<void> {
    await this.settle("release", key, version, "REMOVE pending");
  }

  /** Ends a claim of `version`; a claim already ended (the answer to an earlier send was lost) is left as it is. */
  private async settle(operation: string, key: string, version: number, UpdateExpression: string): Promise<void> {
    try {
      await this.update(operation, {
        Key: { [IDEMPOTENCY_PARTITION_KEY]: key },
        UpdateExpression,
        ConditionExpression: "pending = :version",
        ExpressionAttributeValues: { ":version": version },
      });
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private update(operation: string, input: Omit<ConstructorParameters<typeof UpdateCommand>[0], "TableName">) {
    return unlessUnavailable(`checkpoint ${operation}`, this.tableName, () =>
      this.db.send(new UpdateCommand({ TableName: this.tableName, ...input })),
    );
  }
}

/** A condition failure's item as numbers, whether the client left its attribute values marshalled or not. */
function storedOf(item: Record<string, unknown>): Stored {
  const number = (value: unknown) =>
    typeof value === "number" ? value : typeof (value as { N?: unknown })?.N === "string" ? Number((value as { N: string }).N) : undefined;
  return { acted: number(item.acted), pending: number(item.pending) };
}
