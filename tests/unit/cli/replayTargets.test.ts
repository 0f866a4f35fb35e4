import * as assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { replayTargetsOfPattern } from "../../../cli/replayTargets";
import { AGGREGATE_BUCKETS } from "../../../handlers/runtime/ledger/conventions";
import { projectorEventPattern } from "../../../handlers/runtime/messages/eventPatterns";
import { defaultCheckpointPath } from "../../../handlers/runtime/operations/replayRun";
import { stubSend } from "../../support/stubClient";
import { runInProcess } from "./cliRun";
import { LEDGER, STREAM_ARN, StreamFunction, accountsDispatcher, ledgerTables, streamFunctions } from "./deployedLedger";

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

  it("accepts a target the bus has when the ledger's dispatcher publishes as the target's service: the dry run names both, counts the aggregates and sends no write", async () => {
    const tables = ledgerTables();
    const lambda = streamFunctions([{ name: "audit-fn" }, accountsDispatcher()]);
    const { code, stdout, stderr } = await runInProcess(
      ["replay", ...LEDGER, "--target", "balances", "--bus", "accounts-bus", "--dry-run"],
      { clients: { eventBridge: deployedBus().client, dynamodb: tables.client, lambda: lambda.client } },
    );
    assert.equal(code, 0, stderr);
    assert.match(
      stdout,
      new RegExp(
        `^dry run: a run would append a replay event for projector balances \\(generation 1\\) to ${3 * AGGREGATE_BUCKETS} aggregates of ledger`,
      ),
    );
    assert.deepEqual([...new Set(tables.calls.map((call) => call.name))].sort(), ["DescribeTableCommand", "QueryCommand"]);
    assert.match(stderr, /--ledger-table ledger: dispatcher accounts-dispatcher-fn publishes it as service accounts on bus accounts-bus\n/);
    assert.match(
      stderr,
      /projector balances on bus accounts-bus takes the events of service accounts: --ledger-table ledger is that service's ledger\n/,
    );
    assert.deepEqual(
      lambda.calls.map((call) => [call.name, call.input.EventSourceArn ?? call.input.FunctionName, call.input.Marker]),
      [
        ["ListEventSourceMappingsCommand", STREAM_ARN, undefined],
        ["ListEventSourceMappingsCommand", STREAM_ARN, "1"],
        ["GetFunctionConfigurationCommand", "arn:aws:lambda:eu-west-1:123456789012:function:audit-fn", undefined],
        ["GetFunctionConfigurationCommand", "arn:aws:lambda:eu-west-1:123456789012:function:accounts-dispatcher-fn", undefined],
      ],
      "every page of the stream's mappings, then each function's configuration",
    );
  });

  it("refuses, writing nothing, a ledger whose dispatcher publishes as another service than the one the target's rule takes", async () => {
    const tables = ledgerTables();
    const orders = { name: "orders-dispatcher-fn", service: "orders", bus: "orders-bus" };
    const { code, stderr } = await runInProcess(["replay", ...LEDGER, "--target", "balances", "--bus", "accounts-bus"], {
      clients: { eventBridge: deployedBus().client, dynamodb: tables.client, lambda: streamFunctions([orders]).client },
    });
    assert.equal(code, 2);
    assert.match(
      stderr,
      /^event-ledger replay: --ledger-table ledger is not that service's ledger: projector balances on bus accounts-bus takes the events of service accounts, but dispatcher orders-dispatcher-fn publishes it as service orders on bus orders-bus, so a replay appended there would never reach it\n/,
    );
    assert.deepEqual(
      tables.calls.map((call) => call.name),
      ["DescribeTableCommand", "DescribeTableCommand"],
      "nothing counted, nothing written",
    );
  });

  for (const [what, tables, functions, message] of [
    [
      "a ledger without a stream",
      () => ledgerTables({ stream: "none" }),
      [],
      /--ledger-table ledger has no stream: no dispatcher publishes its events/,
    ],
    [
      "a ledger whose stream was turned off (its last stream's ARN stays)",
      () => ledgerTables({ stream: "disabled" }),
      [accountsDispatcher()],
      /--ledger-table ledger has no stream: no dispatcher publishes its events/,
    ],
    [
      "a stream no function of this account reads",
      () => ledgerTables(),
      [],
      /no dispatcher reads the stream of --ledger-table ledger \(no event source mapping of this account reads its current stream\): what the run would append reaches no bus; give --skip-dispatcher-check if its dispatcher is in another account/,
    ],
    [
      "a stream only other functions read",
      () => ledgerTables(),
      [{ name: "audit-fn" }],
      /no dispatcher reads the stream of --ledger-table ledger \(its mappings' functions: audit-fn\): what the run would append reaches no bus/,
    ],
  ] as const)
    it(`refuses --all on ${what}: what it appends would reach no read model`, async () => {
      const ddb = tables();
      const { code, stderr } = await runInProcess(["replay", ...LEDGER, "--all"], {
        clients: { dynamodb: ddb.client, lambda: streamFunctions(functions).client },
      });
      assert.equal(code, 2);
      assert.match(stderr, message);
      assert.ok(!ddb.calls.some((call) => call.name !== "DescribeTableCommand"), "nothing counted, nothing written");
    });

  it("skips a mapping being deleted and a function gone since its mapping was listed", async () => {
    const lambda = streamFunctions([
      { name: "old-dispatcher-fn", service: "orders", bus: "orders-bus", state: "Deleting" },
      { ...accountsDispatcher(), name: "gone-fn", configurationError: "ResourceNotFoundException" },
      accountsDispatcher(),
    ]);
    const { code, stderr } = await runInProcess(["replay", ...LEDGER, "--target", "balances", "--bus", "accounts-bus", "--dry-run"], {
      clients: { eventBridge: deployedBus().client, dynamodb: ledgerTables().client, lambda: lambda.client },
    });
    assert.equal(code, 0, stderr);
    assert.match(
      stderr,
      /^--ledger-table ledger: dispatcher accounts-dispatcher-fn publishes it as service accounts on bus accounts-bus\n/m,
    );
    assert.deepEqual(
      lambda.calls.filter((call) => call.name === "GetFunctionConfigurationCommand").map((call) => call.input.FunctionName.split(":")[6]),
      ["gone-fn", "accounts-dispatcher-fn"],
      "the mapping being deleted is not looked at",
    );
  });

  for (const [what, lambda, why] of [
    [
      "may not list the stream's mappings",
      () => streamFunctions([], { listError: "AccessDeniedException" }),
      "listing the mappings of its stream needs lambda:ListEventSourceMappings and lambda:GetFunctionConfiguration",
    ],
    [
      "may not read a function's configuration",
      () => streamFunctions([{ ...accountsDispatcher(), configurationError: "AccessDeniedException" }]),
      "reading the configuration of accounts-dispatcher-fn, on its stream, needs lambda:ListEventSourceMappings and lambda:GetFunctionConfiguration",
    ],
    [
      "is throttled past the SDK's retries",
      () => streamFunctions([], { listError: "TooManyRequestsException" }),
      "listing the mappings of its stream failed (TooManyRequestsException: TooManyRequestsException on ListEventSourceMappings)",
    ],
    [
      "answers a function's environment with an error",
      () => streamFunctions([{ ...accountsDispatcher(), environmentError: "KMSAccessDeniedException" }]),
      "the environment of accounts-dispatcher-fn, on its stream, could not be read or applied (KMSAccessDeniedException: denied)",
    ],
  ] as const)
    it(`goes on unchecked when Lambda ${what}, saying why and which service's ledger it must be`, async () => {
      const { code, stderr } = await runInProcess(["replay", ...LEDGER, "--target", "balances", "--bus", "accounts-bus", "--dry-run"], {
        clients: { eventBridge: deployedBus().client, dynamodb: ledgerTables().client, lambda: lambda().client },
      });
      assert.equal(code, 0, stderr);
      assert.ok(stderr.includes(`who publishes --ledger-table ledger is not checked: ${why}\n`), stderr);
      assert.match(stderr, /takes the events of service accounts: a replay reaches it only if --ledger-table is that service's ledger/);
    });

  it("--skip-dispatcher-check asks Lambda nothing and says the ledger was not checked", async () => {
    const lambda = streamFunctions([]);
    const { code, stderr } = await runInProcess(["replay", ...LEDGER, "--all", "--skip-dispatcher-check", "--dry-run"], {
      clients: { dynamodb: ledgerTables().client, lambda: lambda.client },
    });
    assert.equal(code, 0, stderr);
    assert.match(stderr, /who publishes --ledger-table ledger is not checked: --skip-dispatcher-check\n/);
    assert.equal(lambda.calls.length, 0);
  });

  it("warns when the target's service's dispatcher is disabled, even while another service's reads the stream", async () => {
    const orders = { name: "orders-dispatcher-fn", service: "orders", bus: "orders-bus" };
    const { code, stderr } = await runInProcess(["replay", ...LEDGER, "--target", "balances", "--bus", "accounts-bus", "--dry-run"], {
      clients: {
        eventBridge: deployedBus().client,
        dynamodb: ledgerTables().client,
        lambda: streamFunctions([orders, accountsDispatcher("Disabled")]).client,
      },
    });
    assert.equal(code, 0, stderr);
    assert.match(stderr, /publishes it as service accounts on bus accounts-bus \(its stream mapping is Disabled\)/);
    assert.match(
      stderr,
      /warning: no dispatcher of service accounts is reading the stream of ledger: what this run appends is published only once one is, and only if the stream still holds it then \(24 hours\)\n/,
    );
  });

  it("warns when the ledger's dispatcher publishes the right service on another bus than --bus (another stage's, say)", async () => {
    const staging = { ...accountsDispatcher(), bus: "accounts-bus-staging" };
    const { code, stderr } = await runInProcess(["replay", ...LEDGER, "--target", "balances", "--bus", "accounts-bus", "--dry-run"], {
      clients: { eventBridge: deployedBus().client, dynamodb: ledgerTables().client, lambda: streamFunctions([staging]).client },
    });
    assert.equal(code, 0, stderr);
    assert.match(
      stderr,
      /warning: dispatcher accounts-dispatcher-fn publishes on bus accounts-bus-staging, not on --bus accounts-bus: the replay reaches projector balances only if those events are forwarded to accounts-bus\n/,
    );
  });

  it("--all lists the enabled projectors of the bus taking the ledger's service, and warns when none does", async () => {
    const run = (dispatcher: StreamFunction) =>
      runInProcess(["replay", ...LEDGER, "--all", "--bus", "accounts-bus", "--dry-run"], {
        clients: { eventBridge: deployedBus().client, dynamodb: ledgerTables().client, lambda: streamFunctions([dispatcher]).client },
      });
    const accounts = await run(accountsDispatcher());
    assert.equal(accounts.code, 0, accounts.stderr);
    assert.match(accounts.stderr, /--all: every projector of bus accounts-bus taking service accounts \(balances, last-transaction\)\n/);
    assert.doesNotMatch(accounts.stderr, /warning/);
    const orders = await run({ name: "orders-dispatcher-fn", service: "orders", bus: "orders-bus" });
    assert.equal(orders.code, 0, orders.stderr);
    assert.match(orders.stderr, /--all: every projector of bus accounts-bus taking service orders \(none found\)\n/);
    assert.match(orders.stderr, /warning: no enabled projector of bus accounts-bus takes service orders/);
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
      const dynamodb = ledgerTables().client;
      const lambda = streamFunctions([accountsDispatcher()]).client;
      const { code, stdout } = await runInProcess(
        [
          ...["replay", "--ledger-table", "ledger", "--idempotency-table", "idempotency"],
          ...["--domain", path.join(cwd, "examples/accounts/domain.ts"), "--export", "accounts"],
          ...["--target", "all", "--bus", "accounts-bus", "--dry-run"],
        ],
        { clients: { eventBridge, dynamodb, lambda } },
      );
      assert.equal(code, 0);
      assert.doesNotMatch(stdout, /exists: a run would resume from it/, "the targeted run would skip everything the --all run did");
    } finally {
      process.chdir(cwd);
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
