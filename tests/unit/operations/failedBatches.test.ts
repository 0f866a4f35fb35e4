import * as assert from "node:assert/strict";
import { S3Client } from "@aws-sdk/client-s3";
import { failedBatchObjects } from "../../../handlers/runtime/aws/failedBatchBucket";
import { FailedBatchRecord, recoverFailedBatches } from "../../../handlers/runtime/operations/failedBatches";
import { insertRecord } from "../../../local/streamPoller";
import { stubSend } from "../../support/stubClient";

/** An object as Lambda writes it to an S3 on-failure destination, its payload as JSON text. */
const failedBatch = (ids: string[]): FailedBatchRecord => ({
  version: "1.0",
  timestamp: "2026-11-24T00:00:00Z",
  requestContext: {
    requestId: "r",
    functionArn: "arn:aws:lambda:eu-west-1:1:function:d",
    condition: "RetryAttemptsExhausted",
    approximateInvokeCount: 11,
  },
  responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
  DDBStreamBatchInfo: { shardId: "s", startSequenceNumber: "1", endSequenceNumber: "9", batchSize: ids.length, streamArn: "arn" },
  payload: JSON.stringify({
    Records: ids.map((id, i) => insertRecord({ aggregateId: id, version: i + 1, type: "T", payload: {}, timestamp: "t" }, String(i))),
  }),
});

describe("recovering failed batches from the dispatcher's S3 destination (S3 stubbed at client level)", () => {
  it("reads every object across listing pages and replays each aggregate they name once; an unreadable object is reported, not skipped silently", async () => {
    const s3 = new S3Client({ region: "eu-west-1" });
    const objects: Record<string, string> = {
      "a/1": JSON.stringify(failedBatch(["x", "y"])),
      "a/2": JSON.stringify(failedBatch(["y", "z"])),
      "a/3": "{truncated",
    };
    const calls = stubSend(s3, (command) => {
      if (command.constructor.name === "ListObjectsV2Command") {
        return command.input.ContinuationToken
          ? { Contents: [{ Key: "a/3" }], IsTruncated: false }
          : { Contents: [{ Key: "a/1" }, { Key: "a/2" }], IsTruncated: true, NextContinuationToken: "next" };
      }
      const body = objects[command.input.Key as string];
      return { Body: { transformToString: async () => body } };
    });
    const replayed: string[] = [];

    const report = await recoverFailedBatches(failedBatchObjects(s3, "bucket"), async (id) => void replayed.push(id));

    assert.deepEqual(replayed, ["x", "y", "z"]);
    assert.deepEqual([report.batches, report.aggregates], [2, 3]);
    assert.deepEqual(
      report.unreadable.map((object) => object.source),
      ["s3://bucket/a/3"],
    );
    assert.equal(calls.filter((call) => call.name === "ListObjectsV2Command").length, 2, "followed the continuation token");
  });

  it("reports an aggregate whose replay fails with the reason, and goes on with the others", async () => {
    async function* one() {
      yield { source: "s3://b/k", body: JSON.stringify(failedBatch(["ok", "bad", "ok2"])) };
    }
    const report = await recoverFailedBatches(one(), async (id) => {
      if (id === "bad") throw new Error("throttled");
    });
    assert.deepEqual(report.replayed, ["ok", "ok2"]);
    assert.deepEqual(report.failed, [{ aggregateId: "bad", reason: "throttled" }]);
  });

  it("given the ledger (by name or ARN), reports a batch of another table's stream and replays none of its aggregates", async () => {
    const ofStream = (table: string, ids: string[]) => ({
      ...failedBatch(ids),
      DDBStreamBatchInfo: {
        ...failedBatch(ids).DDBStreamBatchInfo,
        streamArn: `arn:aws:dynamodb:eu-west-1:1:table/${table}/stream/2026-11-24T00:00:00.000`,
      },
    });
    async function* batches() {
      yield { source: "s3://b/1", body: JSON.stringify(ofStream("accounts-ledger", ["a"])) };
      yield { source: "s3://b/2", body: JSON.stringify(ofStream("orders-ledger", ["o"])) };
    }
    for (const ledgerTable of ["accounts-ledger", "arn:aws:dynamodb:eu-west-1:1:table/accounts-ledger"]) {
      const replayed: string[] = [];
      const report = await recoverFailedBatches(batches(), async (id) => void replayed.push(id), { ledgerTable });
      assert.deepEqual(replayed, ["a"]);
      assert.deepEqual(report.foreign, [{ source: "s3://b/2", table: "orders-ledger" }]);
      assert.equal(report.batches, 1);
    }
  });
});

describe("recovering failed batches: an object that is not a failed batch is unreadable, never recovered", () => {
  const valid = failedBatch(["x"]);
  for (const [label, body] of [
    ["without a payload", JSON.stringify({ ...valid, payload: undefined })],
    ["with a null payload", JSON.stringify({ ...valid, payload: null })],
    ["whose payload has no Records", JSON.stringify({ ...valid, payload: JSON.stringify({ records: [] }) })],
    ["whose payload object has no Records", JSON.stringify({ ...valid, payload: {} })],
    ["whose Records is not a list", JSON.stringify({ ...valid, payload: { Records: "x" } })],
    ["with a record naming no aggregate", JSON.stringify({ ...valid, payload: { Records: [{ eventName: "INSERT", dynamodb: {} }] } })],
    ["holding JSON null", "null"],
  ] as const) {
    it(`reports an object ${label} as unreadable with its key, and recovers nothing from it`, async () => {
      async function* one() {
        yield { source: "s3://b/odd", body };
      }
      const replayed: string[] = [];
      const report = await recoverFailedBatches(one(), async (id) => void replayed.push(id));
      assert.deepEqual(
        report.unreadable.map((object) => object.source),
        ["s3://b/odd"],
      );
      assert.equal(report.batches, 0);
      assert.deepEqual(replayed, []);
    });
  }
});
