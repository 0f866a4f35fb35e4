import * as assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { fakeSqs } from "../../support/fakeSqs";
import { stubSend } from "../../support/stubClient";
import { runInProcess } from "./cliRun";
import { LEDGER, accountsDispatcher, ledgerTables, streamFunctions } from "./deployedLedger";

/** An S3 client answering ListObjectsV2 with an empty bucket, recording the buckets asked. */
function emptyBucket() {
  const client = new S3Client({ region: "eu-west-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  const calls = stubSend(client, () => ({ Contents: [], KeyCount: 0, IsTruncated: false }));
  return { client, calls };
}

/** A failed batch as Lambda writes it to the on-failure destination: of `table`'s stream, naming `ids`. */
const failedBatch = (table: string, ids: string[]) =>
  JSON.stringify({
    version: "1.0",
    timestamp: "2026-12-01T00:00:00.000Z",
    requestContext: {
      requestId: "r",
      functionArn: "arn:aws:lambda:eu-west-1:123456789012:function:d",
      condition: "RetryAttemptsExhausted",
      approximateInvokeCount: 11,
    },
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    DDBStreamBatchInfo: {
      shardId: "shardId-1",
      startSequenceNumber: "1",
      endSequenceNumber: "9",
      batchSize: ids.length,
      streamArn: `arn:aws:dynamodb:eu-west-1:123456789012:table/${table}/stream/2026-12-01T00:00:00.000`,
    },
    payload: { Records: ids.map((id) => ({ eventName: "INSERT", dynamodb: { Keys: { aggregateId: { S: id }, version: { N: "1" } } } })) },
  });

const queueUrl = (name: string, host = "sqs.eu-west-1.amazonaws.com", account = "123456789012") => `https://${host}/${account}/${name}`;

describe("recover and dlq redrive: the ledger they append to must have a dispatcher, and be the one their input came from", () => {
  let folder: string;
  before(async () => (folder = await mkdtemp(path.join(tmpdir(), "failed-batches-"))));
  after(async () => rm(folder, { recursive: true, force: true }));

  it("recover refuses a ledger no dispatcher reads, before reading a failed batch or appending anything", async () => {
    const tables = ledgerTables();
    const bucket = emptyBucket();
    const { code, stderr } = await runInProcess(["recover", "--bucket", "accounts-dispatcher-failed", ...LEDGER], {
      clients: { dynamodb: tables.client, lambda: streamFunctions([{ name: "audit-fn" }]).client, s3: bucket.client },
    });
    assert.equal(code, 2);
    assert.match(
      stderr,
      /^event-ledger recover: no dispatcher reads the stream of --ledger-table ledger \(its mappings' functions: audit-fn\)/,
    );
    assert.equal(bucket.calls.length, 0, "the bucket was not read");
    assert.deepEqual(
      tables.calls.map((call) => call.name),
      ["DescribeTableCommand", "DescribeTableCommand"],
    );
  });

  it("recover names the ledger's dispatcher, and reads the bucket it puts its failed batches in without a warning", async () => {
    const bucket = emptyBucket();
    const { code, stderr } = await runInProcess(["recover", "--bucket", "accounts-dispatcher-failed", ...LEDGER], {
      clients: { dynamodb: ledgerTables().client, lambda: streamFunctions([accountsDispatcher()]).client, s3: bucket.client },
    });
    assert.equal(code, 0, stderr);
    assert.match(
      stderr,
      /^--ledger-table ledger: dispatcher accounts-dispatcher-fn publishes it as service accounts on bus accounts-bus\n/,
    );
    assert.doesNotMatch(stderr, /warning/);
    assert.deepEqual([...new Set(bucket.calls.map((call) => call.input.Bucket))], ["accounts-dispatcher-failed"]);
  });

  it("recover --bucket warns when the bucket is not the one the ledger's dispatcher puts its failed batches in, and goes on", async () => {
    const bucket = emptyBucket();
    const { code, stderr } = await runInProcess(["recover", "--bucket", "accounts-dispatcher-failed-old", ...LEDGER], {
      clients: { dynamodb: ledgerTables().client, lambda: streamFunctions([accountsDispatcher()]).client, s3: bucket.client },
    });
    assert.equal(code, 0, stderr);
    assert.match(
      stderr,
      /warning: --bucket accounts-dispatcher-failed-old is not where the dispatcher of --ledger-table ledger puts the batches it gives up on \(dispatcher accounts-dispatcher-fn: bucket accounts-dispatcher-failed\); a batch of another table's stream is reported and not replayed\n/,
    );
    assert.ok(bucket.calls.length > 0, "the bucket was read");
  });

  it("recover reports a failed batch of another table's stream and replays none of its aggregates; the ledger's own are replayed", async () => {
    const batches = await mkdtemp(path.join(tmpdir(), "mixed-batches-"));
    try {
      await writeFile(path.join(batches, "1.json"), failedBatch("ledger", ["acc-1"]));
      await writeFile(path.join(batches, "2.json"), failedBatch("orders-ledger", ["ord-1", "ord-2"]));
      const tables = ledgerTables();
      // Checked without Lambda too: each batch says whose stream it is.
      const { code, stdout, stderr } = await runInProcess(["recover", "--dir", batches, ...LEDGER, "--skip-dispatcher-check"], {
        clients: { dynamodb: tables.client },
      });
      assert.equal(code, 1, stderr);
      assert.match(stdout, /^1 failed batches, 1 aggregates, 1 replayed, 0 failed, 0 unreadable objects, 1 of another ledger in /);
      assert.match(
        stdout,
        /of another ledger .*2\.json: a batch of table orders-ledger's stream, not of ledger; its aggregates were not replayed\n/,
      );
      const read = tables.calls.filter((call) => call.name === "QueryCommand").map((call) => JSON.stringify(call.input));
      assert.ok(
        read.some((input) => input.includes("acc-1")),
        "the ledger's own aggregate was replayed",
      );
      assert.ok(!read.some((input) => input.includes("ord-")), "no aggregate of the other ledger was touched");
    } finally {
      await rm(batches, { recursive: true, force: true });
    }
  });

  it("dlq redrive with the ledger options refuses a ledger without a stream, before touching the queue", async () => {
    const sqs = fakeSqs([{ name: "dispatcher-dlq" }]);
    const { code, stderr } = await runInProcess(["dlq", "redrive", "--all", "--queue-url", queueUrl("dispatcher-dlq"), ...LEDGER], {
      clients: { dynamodb: ledgerTables({ stream: "none" }).client, lambda: streamFunctions([]).client, sqs: sqs.client },
    });
    assert.equal(code, 2);
    assert.match(stderr, /^event-ledger dlq redrive: --ledger-table ledger has no stream: no dispatcher publishes its events/);
    assert.equal(sqs.calls.length, 0, "no letter received");
  });

  for (const [what, url] of [
    ["another dispatcher's queue", queueUrl("orders-dispatcher-dlq")],
    ["a queue of that name in another account", queueUrl("dispatcher-dlq", "sqs.eu-west-1.amazonaws.com", "210987654321")],
    ["a queue of that name in another region", queueUrl("dispatcher-dlq", "sqs.us-east-1.amazonaws.com")],
  ] as const)
    it(`dlq redrive with the ledger options refuses ${what}, touching no letter`, async () => {
      const sqs = fakeSqs([{ name: "orders-dispatcher-dlq", messages: [{ MessageId: "m-1", Body: "{}" }] }]);
      const { code, stderr } = await runInProcess(["dlq", "redrive", "--all", "--queue-url", url, ...LEDGER], {
        clients: { dynamodb: ledgerTables().client, lambda: streamFunctions([accountsDispatcher()]).client, sqs: sqs.client },
      });
      assert.equal(code, 2);
      assert.ok(
        stderr.startsWith(
          `event-ledger dlq redrive: --queue-url ${url} is not the dead-letter queue of the dispatcher of --ledger-table ledger (dispatcher accounts-dispatcher-fn: ${queueUrl("dispatcher-dlq")}): `,
        ),
        stderr,
      );
      assert.equal(sqs.calls.length, 0, "no letter received");
    });

  for (const [given, configured] of [
    ["sqs.eu-west-1.amazonaws.com", "eu-west-1.queue.amazonaws.com"],
    ["eu-west-1.queue.amazonaws.com", "sqs.eu-west-1.amazonaws.com"],
    ["sqs.eu-west-1.amazonaws.com", "vpce-0a1b2c3d-4e5f.sqs.eu-west-1.vpce.amazonaws.com"],
  ] as const)
    it(`dlq redrive with the ledger options takes the dispatcher's own queue given as ${given} when its configuration says ${configured}`, async () => {
      const sqs = fakeSqs([{ name: "dispatcher-dlq" }]);
      const fake = queueUrl("dispatcher-dlq");
      const dispatcher = { ...accountsDispatcher(), deadLetterQueueUrl: queueUrl("dispatcher-dlq", configured) };
      // The fake answers on its regional URL: what the operator gives is routed there.
      const sqsClient = sqs.client;
      const send = sqsClient.send.bind(sqsClient);
      (sqsClient as { send: unknown }).send = (command: { input: { QueueUrl?: string } }) => {
        if (command.input.QueueUrl === queueUrl("dispatcher-dlq", given)) command.input.QueueUrl = fake;
        return send(command as never);
      };
      const { code, stdout, stderr } = await runInProcess(
        ["dlq", "redrive", "--all", "--queue-url", queueUrl("dispatcher-dlq", given), ...LEDGER],
        { clients: { dynamodb: ledgerTables().client, lambda: streamFunctions([dispatcher]).client, sqs: sqsClient } },
      );
      assert.equal(code, 0, stderr);
      assert.match(
        stderr,
        /^--ledger-table ledger: dispatcher accounts-dispatcher-fn publishes it as service accounts on bus accounts-bus\n/,
      );
      assert.match(stdout, /0 redriven, 0 left in the queue, 0 failed, 0 not found/);
    });
});
