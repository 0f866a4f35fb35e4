import * as assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { bundleHandler } from "../../components/bundle";
import { REPLAY_EVENT_TYPE } from "../../handlers/runtime/conventions";
import { matchesPattern } from "../../handlers/runtime/eventPatterns";

import { mockedStack, named, ofType, Registered } from "../support/mockedStack";

let registered: Registered[] = [];

describe("Pulumi components composed in the example stack (mocks)", function () {
  this.timeout(120_000);

  before(async () => {
    registered = await mockedStack();
  });

  it("creates the ledger table keyed by aggregate id and version, streaming NEW_IMAGE, encrypted, with PITR", () => {
    const table = named("aws:dynamodb/table:Table", "accounts-ledger-events");
    assert.equal(table.inputs.hashKey, "aggregateId");
    assert.equal(table.inputs.rangeKey, "version");
    assert.equal(table.inputs.streamEnabled, true);
    assert.equal(table.inputs.streamViewType, "NEW_IMAGE");
    assert.equal(table.inputs.billingMode, "PAY_PER_REQUEST");
    assert.deepEqual(table.inputs.pointInTimeRecovery, { enabled: true });
    assert.equal(table.inputs.serverSideEncryption.enabled, true);
    assert.equal(table.inputs.deletionProtectionEnabled, true, "stage default without config");
    assert.equal(named("aws:dynamodb/table:Table", "payments-ledger-events").inputs.deletionProtectionEnabled, false);
    assert.equal(named("aws:dynamodb/table:Table", "accounts-ledger-snapshots").inputs.streamEnabled, false);
    const keys = named("aws:dynamodb/table:Table", "accounts-ledger-idempotency");
    assert.equal(keys.inputs.hashKey, "idempotencyKey");
    assert.deepEqual(keys.inputs.ttl, { attributeName: "expiresAt", enabled: true }, "keys are forgotten after their retention");
    assert.equal(keys.inputs.streamEnabled, false, "no stream: idempotency records never reach the dispatcher");
  });

  it("maps the ledger stream to the dispatcher: INSERT only, bounded retries and age, bisect, DLQ, partial batch responses", () => {
    const mapping = named("aws:lambda/eventSourceMapping:EventSourceMapping", "accounts-dispatcher-stream");
    assert.equal(mapping.inputs.eventSourceArn, `${named("aws:dynamodb/table:Table", "accounts-ledger-events").arn}/stream/2026`);
    assert.deepEqual(JSON.parse(mapping.inputs.filterCriteria.filters[0].pattern), { eventName: ["INSERT"] });
    assert.deepEqual(mapping.inputs.functionResponseTypes, ["ReportBatchItemFailures"]);
    assert.equal(mapping.inputs.bisectBatchOnFunctionError, true);
    assert.ok(mapping.inputs.maximumRetryAttempts >= 0 && mapping.inputs.maximumRetryAttempts <= 10000, "finite retries");
    assert.ok(mapping.inputs.maximumRecordAgeInSeconds > 0, "bounded record age (-1 would be infinite)");
    assert.equal(mapping.inputs.destinationConfig.onFailure.destinationArn, named("aws:sqs/queue:Queue", "accounts-dispatcher-dlq").arn);
    const fn = named("aws:lambda/function:Function", "accounts-dispatcher-function");
    assert.equal(mapping.inputs.functionName, fn.arn);
    assert.equal(fn.inputs.environment.variables.SERVICE_NAME, "accounts");
    assert.equal(fn.inputs.environment.variables.DEAD_LETTER_QUEUE_URL, "https://sqs.local/accounts-dispatcher-dlq");
  });

  it("gives each projector its own queue, DLQ with maxReceiveCount, rule for its event types and queue policy for that rule only", () => {
    for (const [projector, types] of [["accounts-balances", ["AccountOpened", "Credited", "Debited"]], ["accounts-last-transaction", ["Credited", "Debited"]]] as const) {
      const queue = named("aws:sqs/queue:Queue", `${projector}-queue`);
      const dlq = named("aws:sqs/queue:Queue", `${projector}-dlq`);
      const redrive = JSON.parse(queue.inputs.redrivePolicy);
      assert.equal(redrive.deadLetterTargetArn, dlq.arn);
      assert.equal(redrive.maxReceiveCount, 5);
      const rule = named("aws:cloudwatch/eventRule:EventRule", `${projector}-rule`);
      const pattern = JSON.parse(rule.inputs.eventPattern);
      assert.deepEqual(pattern.source, ["accounts"]);
      assert.deepEqual(pattern.$or[0]["detail-type"], types);
      assert.equal(rule.inputs.eventBusName, "accounts-bus-bus-physical");
      assert.equal(named("aws:cloudwatch/eventTarget:EventTarget", `${projector}-target`).inputs.arn, queue.arn);
      const statement = JSON.parse(named("aws:sqs/queuePolicy:QueuePolicy", `${projector}-queue-policy`).inputs.policy).Statement[0];
      assert.deepEqual(statement.Condition, { ArnEquals: { "aws:SourceArn": rule.arn } });
      assert.equal(statement.Resource, queue.arn);
      const source = named("aws:lambda/eventSourceMapping:EventSourceMapping", `${projector}-source`);
      assert.equal(source.inputs.eventSourceArn, queue.arn);
      assert.deepEqual(source.inputs.functionResponseTypes, ["ReportBatchItemFailures"]);
      assert.ok(source.inputs.scalingConfig.maximumConcurrency >= 2);
    }
  });

  it("routes a targeted replay only to the projector it names, by the rule pattern itself", () => {
    const patternOf = (projector: string) => JSON.parse(named("aws:cloudwatch/eventRule:EventRule", `${projector}-rule`).inputs.eventPattern);
    const replay = (target?: string) => ({ source: "accounts", "detail-type": REPLAY_EVENT_TYPE, detail: { event: { payload: target ? { target } : {} } } });
    assert.equal(matchesPattern(patternOf("accounts-balances"), replay("balances")), true);
    assert.equal(matchesPattern(patternOf("accounts-last-transaction"), replay("balances")), false);
    assert.equal(matchesPattern(patternOf("accounts-last-transaction"), replay()), true);
    assert.equal(matchesPattern(patternOf("accounts-last-transaction"), { source: "accounts", "detail-type": "AccountOpened", detail: {} }), false);
    assert.equal(matchesPattern(patternOf("accounts-balances"), { source: "payments", "detail-type": "Credited", detail: {} }), false);
  });

  it("grants each function only the actions and resources it needs, never '*'", () => {
    const policies = ofType("aws:iam/rolePolicy:RolePolicy");
    assert.equal(policies.length, 6, "three functions per service, two services");
    for (const policy of policies) {
      for (const statement of JSON.parse(policy.inputs.policy).Statement) {
        for (const action of statement.Action) assert.ok(!action.includes("*"), `${policy.name}: action ${action}`);
        for (const resource of statement.Resource) {
          // The one wildcard: log streams inside the function's own log group.
          const ownLogStreams = statement.Sid === "OwnLogs" && /logGroup:LogGroup:[\w-]+-logs:\*$/.test(resource);
          assert.ok(!resource.includes("*") || ownLogStreams, `${policy.name}: resource ${resource}`);
        }
      }
    }
    const actionsOf = (name: string) =>
      Object.fromEntries(JSON.parse(named("aws:iam/rolePolicy:RolePolicy", name).inputs.policy).Statement.map((s: { Sid: string; Action: string[]; Resource: string[] }) => [s.Sid, { actions: s.Action, resources: s.Resource }]));
    const dispatcher = actionsOf("accounts-dispatcher-policy");
    const ledger = named("aws:dynamodb/table:Table", "accounts-ledger-events");
    assert.deepEqual(dispatcher.ReadLedger, { actions: ["dynamodb:Query"], resources: [ledger.arn] });
    assert.deepEqual(dispatcher.PublishToBus, { actions: ["events:PutEvents"], resources: [named("aws:cloudwatch/eventBus:EventBus", "accounts-bus-bus").arn] });
    assert.deepEqual(dispatcher.DeadLetters.resources, [named("aws:sqs/queue:Queue", "accounts-dispatcher-dlq").arn]);
    assert.deepEqual(Object.keys(dispatcher).sort(), ["DeadLetters", "OwnLogs", "PublishToBus", "ReadLedger", "ReadStream", "ReadWriteSnapshots"]);
    const balances = actionsOf("accounts-balances-policy");
    assert.deepEqual(balances.WriteReadModel, { actions: ["dynamodb:PutItem"], resources: [named("aws:dynamodb/table:Table", "accounts-balances-table").arn] });
    assert.deepEqual(balances.ResolveClaimChecks, { actions: ["dynamodb:GetItem"], resources: [named("aws:dynamodb/table:Table", "accounts-ledger-snapshots").arn] });
    assert.ok(!JSON.stringify(balances).includes("events:"), "projectors never publish");
  });

  it("bundles each handler into an index.js archive whose module exports a handler function", async () => {
    const fn = named("aws:lambda/function:Function", "accounts-balances-function");
    assert.equal(fn.inputs.handler, "index.handler");
    const archive = await (fn.inputs.code as pulumi.asset.AssetArchive).assets;
    assert.deepEqual(Object.keys(archive), ["index.js"]);
    const load = (code: string) => {
      const module = { exports: {} as Record<string, unknown> };
      new Function("module", "exports", "require", code)(module, module.exports, createRequire(path.join(__dirname, "..", "..", "package.json")));
      return module.exports;
    };
    for (const spec of [
      { kind: "dispatcher", module: "examples/accounts/domain.ts", exportName: "accounts" },
      { kind: "projector", module: "examples/accounts/projections.ts", exportName: "lastTransaction" },
    ] as const) {
      const code = bundleHandler(spec);
      assert.equal(typeof load(code).handler, "function", spec.kind);
      assert.ok(!/node_modules\/@aws-sdk/.test(code), "the AWS SDK stays external");
    }
  });

  it("composes two microservices in one program without a name collision", () => {
    const keys = registered.map((resource) => `${resource.type}::${resource.name}`);
    assert.equal(new Set(keys).size, keys.length);
    assert.equal(ofType("aws:lambda/function:Function").length, 6);
    assert.equal(ofType("aws:cloudwatch/eventArchive:EventArchive").length, 1, "only payments asked for an archive");
  });
});
