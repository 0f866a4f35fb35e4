import * as assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { replayTargetsOfPattern } from "../../../cli/replayTargets";
import { AGGREGATE_BUCKETS } from "../../../handlers/runtime/ledger/conventions";
import { projectorEventPattern } from "../../../handlers/runtime/messages/eventPatterns";
import { defaultCheckpointPath } from "../../../handlers/runtime/operations/replayRun";
import { stubDynamoDb, stubSend } from "../../support/stubClient";
import { runInProcess } from "./cliRun";

const credentials = { accessKeyId: "x", secretAccessKey: "x" };
const pattern = (name: string) => JSON.stringify(projectorEventPattern("accounts", ["Credited", "Debited"], name));

/** An EventBridge client answering ListRules for bus "accounts-bus" in two pages, as a deployed stack has them. */
function deployedBus() {
  const client = new EventBridgeClient({ region: "eu-west-1", credentials });
  const calls = stubSend(client, (command) => {
    if (command.constructor.name !== "ListRulesCommand") throw new Error(`unexpected ${command.constructor.name}`);
    if (command.input.EventBusName !== "accounts-bus")
      throw Object.assign(new Error(`Event bus ${command.input.EventBusName} does not exist.`), { name: "ResourceNotFoundException" });
    return command.input.NextToken === undefined
      ? {
          Rules: [
            { Name: "accounts-archive", EventPattern: JSON.stringify({ source: ["accounts"] }), State: "ENABLED" },
            { Name: "accounts-balances-rule", EventPattern: pattern("balances"), State: "ENABLED" },
          ],
          NextToken: "page-2",
        }
      : {
          Rules: [
            { Name: "accounts-last-transaction-rule", EventPattern: pattern("last-transaction"), State: "ENABLED" },
            { Name: "accounts-old-rule", EventPattern: pattern("old-report"), State: "DISABLED" },
          ],
        };
  });
  return { client, calls };
}

/** A DynamoDB client recording every call: tables exist, each index bucket counts 3 aggregates. */
function ledgerTables() {
  const client = new DynamoDBClient({ region: "eu-west-1", credentials });
  const calls = stubDynamoDb(client, (operation) =>
    operation === "QueryCommand" ? { Count: 3 } : operation === "DescribeTableCommand" ? { Table: {} } : {},
  );
  return { client, calls };
}

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

describe("replay targets: the projectors a stack has, from its bus's rules", () => {
  it("reads the projector's name from the pattern projectorEventPattern writes, as JSON text or as an object; other patterns name none", () => {
    assert.deepEqual(replayTargetsOfPattern(pattern("balances")), { targets: ["balances"], source: "accounts" });
    assert.deepEqual(replayTargetsOfPattern(projectorEventPattern("payments", ["Paid"], "ledger-view")), {
      targets: ["ledger-view"],
      source: "payments",
    });
    assert.equal(replayTargetsOfPattern(JSON.stringify({ source: ["accounts"] })), undefined);
    assert.equal(replayTargetsOfPattern("not json"), undefined);
  });

  it("refuses `replay --target balancez --bus` listing the bus's projectors from every page of ListRules, and writes nothing", async () => {
    const bus = deployedBus();
    const tables = ledgerTables();
    const { code, stderr } = await runInProcess(["replay", ...LEDGER, "--target", "balancez", "--bus", "accounts-bus"], {
      clients: { eventBridge: bus.client, dynamodb: tables.client },
    });
    assert.equal(code, 2);
    assert.match(
      stderr,
      /^event-ledger replay: --target "balancez" is no projector of bus accounts-bus \(its projectors: balances, last-transaction\); did you mean balances\?\n/,
    );
    assert.deepEqual(
      bus.calls.map((call) => call.input.NextToken),
      [undefined, "page-2"],
    );
    assert.equal(tables.calls.length, 0, "no DynamoDB call");
  });

  it("refuses a target whose rule is disabled, saying so", async () => {
    const { code, stderr } = await runInProcess(["replay", ...LEDGER, "--target", "old-report", "--bus", "accounts-bus"], {
      clients: { eventBridge: deployedBus().client, dynamodb: ledgerTables().client },
    });
    assert.equal(code, 2);
    assert.match(stderr, /--target "old-report": its rule accounts-old-rule on bus accounts-bus is disabled/);
  });

  it("refuses --target without --bus or --program, saying to give one (or --all)", async () => {
    const tables = ledgerTables();
    const { code, stderr } = await runInProcess(["replay", ...LEDGER, "--target", "balances"], { clients: { dynamodb: tables.client } });
    assert.equal(code, 2);
    assert.match(
      stderr,
      /^event-ledger replay: --target balances cannot be checked .*give --bus <the stack's bus name> or --program <its Pulumi program> \(or --all/,
    );
    assert.equal(tables.calls.length, 0);
  });

  it("a bus that does not exist fails with exit 1 naming --bus", async () => {
    const { code, stderr } = await runInProcess(
      ["replay", ...LEDGER, "--target", "balances", "--bus", "acounts-bus", "--region", "eu-west-1"],
      {
        clients: { eventBridge: deployedBus().client, dynamodb: ledgerTables().client },
      },
    );
    assert.equal(code, 1);
    assert.equal(stderr, "event-ledger replay: event bus acounts-bus does not exist in region eu-west-1: check --bus\n");
  });

  it("accepts a target the bus has, naming the service whose ledger it takes replays from: the dry run counts the aggregates and sends no write", async () => {
    const tables = ledgerTables();
    const { code, stdout, stderr } = await runInProcess(
      ["replay", ...LEDGER, "--target", "balances", "--bus", "accounts-bus", "--dry-run"],
      {
        clients: { eventBridge: deployedBus().client, dynamodb: tables.client },
      },
    );
    assert.equal(code, 0);
    assert.match(
      stdout,
      new RegExp(
        `^dry run: a run would append a replay event for projector balances \\(generation 1\\) to ${3 * AGGREGATE_BUCKETS} aggregates of ledger`,
      ),
    );
    assert.deepEqual([...new Set(tables.calls.map((call) => call.name))].sort(), ["DescribeTableCommand", "QueryCommand"]);
    assert.match(
      stderr,
      /projector balances on bus accounts-bus takes the events of service accounts: a replay reaches it only if --ledger-table is that service's ledger/,
    );
  });

  it('keeps a run for the projector named "all" apart from an --all run: it does not resume the --all run\'s checkpoint', async () => {
    const cwd = process.cwd();
    const scratch = await mkdtemp(path.join(tmpdir(), "replay-all-"));
    try {
      process.chdir(scratch);
      // The checkpoint an earlier `replay --all` (generation 1) finished with: every aggregate done.
      const allRun = { ledger: "ledger", target: "all", prefix: "", generation: "1" };
      await writeFile(defaultCheckpointPath(allRun), JSON.stringify({ run: allRun, position: {}, replayed: 3, skipped: 0, failed: [] }));
      const eventBridge = new EventBridgeClient({ region: "eu-west-1", credentials });
      stubSend(eventBridge, () => ({ Rules: [{ Name: "all-rule", EventPattern: pattern("all"), State: "ENABLED" }] }));
      const dynamodb = new DynamoDBClient({ region: "eu-west-1", credentials });
      stubDynamoDb(dynamodb, (operation) => (operation === "QueryCommand" ? { Count: 3 } : { Table: {} }));
      const { code, stdout } = await runInProcess(
        [
          ...["replay", "--ledger-table", "ledger", "--idempotency-table", "idempotency"],
          ...["--domain", path.join(cwd, "examples/accounts/domain.ts"), "--export", "accounts"],
          ...["--target", "all", "--bus", "accounts-bus", "--dry-run"],
        ],
        { clients: { eventBridge, dynamodb } },
      );
      assert.equal(code, 0);
      assert.doesNotMatch(stdout, /exists: a run would resume from it/, "the targeted run would skip everything the --all run did");
    } finally {
      process.chdir(cwd);
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
