import * as assert from "node:assert/strict";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient } from "../../../handlers/runtime/aws/documentClient";
import { DynamoDbReactionCheckpoints } from "../../../handlers/runtime/aws/dynamoDbReactionCheckpoints";
import { IDEMPOTENCY_TABLE } from "../../../handlers/runtime/ledger/tableSchemas";
import { createTable } from "../../../local/tables";
import { dynamoDbLocal, uniqueTableName } from "../../support/rootHooks";

describe("reaction checkpoints on DynamoDB", () => {
  const now = Date.UTC(2026, 11, 1, 12);
  let checkpoints: DynamoDbReactionCheckpoints;
  let db: ReturnType<typeof documentClient>;
  let table: string;

  before(async () => {
    const dynamo = await dynamoDbLocal();
    const raw = new DynamoDBClient(dynamo.config);
    table = uniqueTableName("checkpoints");
    await createTable(raw, table, IDEMPOTENCY_TABLE);
    raw.destroy();
    db = documentClient(new DynamoDBClient(dynamo.config));
    checkpoints = new DynamoDbReactionCheckpoints(db, table);
  });
  after(() => db.destroy());

  it("claims, completes and supersedes, each step sent again finding its own effect", async () => {
    assert.deepEqual(await checkpoints.claim("k1", 2, now, now + 60_000), { status: "claimed", previousVersion: 0 });
    assert.deepEqual(
      await checkpoints.claim("k1", 2, now, now + 60_000),
      { status: "claimed", previousVersion: 0 },
      "a lost answer, sent again",
    );
    assert.deepEqual(await checkpoints.claim("k1", 3, now, now + 60_000), { status: "waiting", pendingVersion: 2 });
    assert.deepEqual(await checkpoints.claim("k1", 1, now, now + 60_000), { status: "waiting", pendingVersion: 2 });
    await checkpoints.complete("k1", 2);
    await checkpoints.complete("k1", 2);
    assert.deepEqual(await checkpoints.claim("k1", 1, now, now + 60_000), { status: "superseded", actedVersion: 2 });
    assert.deepEqual(await checkpoints.claim("k1", 3, now, now + 60_000), { status: "claimed", previousVersion: 2 });
  });

  it("frees an aggregate from a claim released, or one whose lease ran out", async () => {
    await checkpoints.claim("k2", 1, now, now + 60_000);
    await checkpoints.release("k2", 1);
    assert.deepEqual(await checkpoints.claim("k2", 2, now, now + 60_000), { status: "claimed", previousVersion: 0 });
    assert.deepEqual(await checkpoints.claim("k2", 3, now + 30_000, now + 90_000), { status: "waiting", pendingVersion: 2 });
    assert.deepEqual(await checkpoints.claim("k2", 3, now + 61_000, now + 121_000), { status: "claimed", previousVersion: 0 });
  });

  it("never takes a client's idempotency record for a checkpoint", async () => {
    await db.send(new PutCommand({ TableName: table, Item: { idempotencyKey: "k3", fingerprint: "f", commitId: "c", expiresAt: 1 } }));
    await assert.rejects(checkpoints.claim("k3", 1, now, now + 60_000), /holds a client's idempotency record/);
  });
});
