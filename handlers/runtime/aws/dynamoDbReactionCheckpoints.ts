import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import type { UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import { IDEMPOTENCY_PARTITION_KEY } from "../ledger/conventions";
import { ClaimOutcome, ReactionCheckpoints, StoredCheckpoint, claimOutcome } from "../reaction/checkpoints";
import { unlessUnavailable } from "./transient";
import { DynamoDbClientInput, updateItem } from "./items";

/**
 * Reaction checkpoints as items of the reacting service's idempotency table (keys apart from any
 * client's, with no expiry: a checkpoint outlives the keys' retention). Each step is one conditional
 * UpdateItem; each may be sent again after a lost answer and finds its own effect.
 */
export class DynamoDbReactionCheckpoints implements ReactionCheckpoints {
  constructor(
    private readonly db: DynamoDbClientInput,
    private readonly tableName: string,
  ) {}

  async claim(key: string, version: number, now: number, leaseUntil: number): Promise<ClaimOutcome> {
    try {
      const previous = await this.update("claim", {
        Key: { [IDEMPOTENCY_PARTITION_KEY]: key },
        UpdateExpression: "SET pending = :version, leaseUntil = :lease, acted = if_not_exists(acted, :none)",
        // Claimable: nothing at or above it acted on, and no other version's claim alive. Never an
        // item of the table's other kind (a client's idempotency record carries a fingerprint).
        ConditionExpression:
          "attribute_not_exists(fingerprint) AND (attribute_not_exists(acted) OR acted < :version) AND " +
          "(attribute_not_exists(pending) OR pending = :version OR leaseUntil < :now)",
        ExpressionAttributeValues: { ":version": version, ":none": 0, ":now": now, ":lease": leaseUntil },
        ReturnValues: "ALL_OLD",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      });
      return { status: "claimed", previousVersion: (previous as StoredCheckpoint | undefined)?.acted ?? 0 };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        const item = error.Item as Record<string, unknown> | undefined;
        if (item && "fingerprint" in item) throw new Error(`checkpoint key ${key} holds a client's idempotency record, not a checkpoint`);
        return claimOutcome(item ? storedOf(item) : undefined, version, now);
      }
      throw error;
    }
  }

  async complete(key: string, version: number): Promise<void> {
    await this.settle("complete", key, version, "SET acted = :version REMOVE pending, leaseUntil");
  }

  async release(key: string, version: number): Promise<void> {
    await this.settle("release", key, version, "REMOVE pending, leaseUntil");
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

  private update(operation: string, input: Omit<UpdateCommandInput, "TableName">) {
    return unlessUnavailable(`checkpoint ${operation}`, this.tableName, () => updateItem(this.db, { TableName: this.tableName, ...input }));
  }
}

/** A condition failure's item as numbers, whether the client left its attribute values marshalled or not. */
function storedOf(item: Record<string, unknown>): StoredCheckpoint {
  const number = (value: unknown) =>
    typeof value === "number" ? value : typeof (value as { N?: unknown })?.N === "string" ? Number((value as { N: string }).N) : undefined;
  return { acted: number(item.acted), pending: number(item.pending), leaseUntil: number(item.leaseUntil) };
}
