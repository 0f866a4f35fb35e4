import * as assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { fakeSqs } from "../../support/fakeSqs";
import { stubSend } from "../../support/stubClient";
import { runInProcess } from "./cliRun";
import { accountsDispatcher, ledgerTables, streamFunctions } from "./deployedLedger";

const LEDGER = [
  "--ledger-table",
  "ledger",
  "--idempotency-table",
  "idempotency",
  "--domain",
  "examples/accounts/domain.ts",
  "--export",
  "accounts",
];

/** An S3 client answering ListObjectsV2 with an empty bucket, recording the buckets asked. */
function emptyBucket() {
  const client = new S3Client({ region: "eu-west-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  const calls = stubSend(client, () => ({ Contents: [], KeyCount: 0, IsTruncated: false }));
  return { client, calls };
}

const queueUrl = (name: string) => `https://sqs.eu-west-1.amazonaws.com/123456789012/${name}`;

describe("recover and dlq redrive: the ledger they append to must have a dispatcher, and be the one their input came from", () => {
  let folder: string;
  before(async () => (folder = await mkdtemp(path.join(tmpdir(), "failed-batches-"))));
  after(async () => rm(folder, { recursive: true, force: true }));

  it("recover refuses a ledger no dispatcher reads, before reading a failed batch or appending anything", async () => {
    const tables = ledgerTables();
    const { code, stderr } = await runInProcess(["recover", "--dir", folder, ...LEDGER], {
      clients: { dynamodb: tables.client, lambda: streamFunctions([{ name: "audit-fn" }]).client },
    });
    assert.equal(code, 2);
    assert.match(
      stderr,
      /^event-ledger recover: no dispatcher reads the stream of --ledger-table ledger \(its mappings' functions: audit-fn\)/,
    );
    assert.deepEqual(
      tables.calls.map((call) => call.name),
      ["DescribeTableCommand", "DescribeTableCommand"],
    );
  });

  it("recover names the ledger's dispatcher on standard error and goes on", async () => {
    const { code, stderr } = await runInProcess(["recover", "--dir", folder, ...LEDGER], {
      clients: { dynamodb: ledgerTables().client, lambda: streamFunctions([accountsDispatcher()]).client },
    });
    assert.equal(code, 0, stderr);
    assert.match(
      stderr,
      /^--ledger-table ledger: dispatcher accounts-dispatcher-fn publishes it as service accounts on bus accounts-bus\n/,
    );
  });

  it("dlq redrive with the ledger options refuses a ledger without a stream, before touching the queue", async () => {
    const { code, stderr } = await runInProcess(
      ["dlq", "redrive", "--all", "--queue-url", "https://sqs.eu-west-1.amazonaws.com/1/dlq", ...LEDGER],
      {
        clients: { dynamodb: ledgerTables({ stream: false }).client, lambda: streamFunctions([]).client },
      },
    );
    assert.equal(code, 2);
    assert.match(stderr, /^event-ledger dlq redrive: --ledger-table ledger has no stream: no dispatcher publishes its events/);
  });

  it("recover --bucket refuses a bucket that is not where the ledger's dispatcher puts its failed batches, before reading it", async () => {
    const bucket = emptyBucket();
    const { code, stderr } = await runInProcess(["recover", "--bucket", "orders-dispatcher-failed", ...LEDGER], {
      clients: { dynamodb: ledgerTables().client, lambda: streamFunctions([accountsDispatcher()]).client, s3: bucket.client },
    });
    assert.equal(code, 2);
    assert.match(
      stderr,
      /^event-ledger recover: --bucket orders-dispatcher-failed is not where the dispatcher of --ledger-table ledger puts the batches it gives up on \(dispatcher accounts-dispatcher-fn: bucket accounts-dispatcher-failed\): its batches name another ledger's aggregates\n/,
    );
    assert.equal(bucket.calls.length, 0, "the bucket was not read");
  });

  it("recover --bucket reads the bucket the ledger's dispatcher puts its failed batches in", async () => {
    const bucket = emptyBucket();
    const { code, stderr } = await runInProcess(["recover", "--bucket", "accounts-dispatcher-failed", ...LEDGER], {
      clients: { dynamodb: ledgerTables().client, lambda: streamFunctions([accountsDispatcher()]).client, s3: bucket.client },
    });
    assert.equal(code, 0, stderr);
    assert.deepEqual([...new Set(bucket.calls.map((call) => call.input.Bucket))], ["accounts-dispatcher-failed"]);
  });

  it("dlq redrive with the ledger options refuses a queue that is not the dead-letter queue of the ledger's dispatcher, touching no letter", async () => {
    const sqs = fakeSqs([{ name: "orders-dispatcher-dlq", messages: [{ MessageId: "m-1", Body: "{}" }] }]);
    const { code, stderr } = await runInProcess(["dlq", "redrive", "--all", "--queue-url", queueUrl("orders-dispatcher-dlq"), ...LEDGER], {
      clients: { dynamodb: ledgerTables().client, lambda: streamFunctions([accountsDispatcher()]).client, sqs: sqs.client },
    });
    assert.equal(code, 2);
    assert.match(
      stderr,
      /^event-ledger dlq redrive: --queue-url https:\/\/sqs\.eu-west-1\.amazonaws\.com\/123456789012\/orders-dispatcher-dlq is not the dead-letter queue of the dispatcher of --ledger-table ledger \(dispatcher accounts-dispatcher-fn: https:\/\/sqs\.eu-west-1\.amazonaws\.com\/123456789012\/dispatcher-dlq\)/,
    );
    assert.equal(sqs.calls.length, 0, "no letter received");
  });

  it("dlq redrive with the ledger options takes the dispatcher's own queue, whichever form of its URL each side uses", async () => {
    const sqs = fakeSqs([{ name: "dispatcher-dlq" }]);
    // The dispatcher's environment holding the legacy form of the URL the operator gives in the regional form.
    const dispatcher = { ...accountsDispatcher(), deadLetterQueueUrl: "https://eu-west-1.queue.amazonaws.com/123456789012/dispatcher-dlq" };
    const { code, stdout, stderr } = await runInProcess(["dlq", "redrive", "--all", "--queue-url", queueUrl("dispatcher-dlq"), ...LEDGER], {
      clients: { dynamodb: ledgerTables().client, lambda: streamFunctions([dispatcher]).client, sqs: sqs.client },
    });
    assert.equal(code, 0, stderr);
    assert.match(
      stderr,
      /^--ledger-table ledger: dispatcher accounts-dispatcher-fn publishes it as service accounts on bus accounts-bus\n/,
    );
    assert.match(stdout, /0 redriven, 0 left in the queue, 0 failed, 0 not found/);
  });
});
