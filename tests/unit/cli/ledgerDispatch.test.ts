import * as assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
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

describe("recover and dlq redrive: the ledger they append to must have a dispatcher", () => {
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
});
