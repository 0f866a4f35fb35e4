import * as assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { bundleHandler } from "../../components/bundle";
import { PUT_EVENTS_MAX_BYTES, REPLAY_EVENT_TYPE, SQS_MAX_MESSAGE_BYTES } from "../../handlers/runtime/ledger/conventions";
import { matchesPattern } from "../../local/eventPatternMatch";

import { SAVINGS_KEY, SAVINGS_ON_CALL, mockedStack, named, ofType, Registered } from "../support/mockedStack";

let registered: Registered[] = [];

describe("Pulumi components composed in the example stack (mocks)", function () {
  this.timeout(120_000);

  before(async () => {
    registered = await mockedStack();
  });

  it("creates the ledger table keyed by aggregate id and version, streaming NEW_IMAGE, encrypted with the owned key unless one is given, with PITR", () => {
    const table = named("aws:dynamodb/table:Table", "accounts-ledger-events");
    assert.equal(table.inputs.hashKey, "aggregateId");
    assert.equal(table.inputs.rangeKey, "version");
    assert.equal(table.inputs.streamEnabled, true);
    assert.equal(table.inputs.streamViewType, "NEW_IMAGE");
    assert.equal(table.inputs.billingMode, "PAY_PER_REQUEST");
    assert.deepEqual(table.inputs.pointInTimeRecovery, { enabled: true });
    assert.deepEqual(
      table.inputs.serverSideEncryption,
      { enabled: false },
      "no key given: the key DynamoDB owns, not the AWS-managed KMS key",
    );
    assert.deepEqual(named("aws:dynamodb/table:Table", "savings-ledger-events").inputs.serverSideEncryption, {
      enabled: true,
      kmsKeyArn: SAVINGS_KEY,
    });
    assert.equal(table.inputs.deletionProtectionEnabled, true, "stage default without config");
    assert.equal(named("aws:dynamodb/table:Table", "savings-ledger-events").inputs.deletionProtectionEnabled, false);
    assert.equal(named("aws:dynamodb/table:Table", "accounts-ledger-snapshots").inputs.streamEnabled, false);
    const keys = named("aws:dynamodb/table:Table", "accounts-ledger-idempotency");
    assert.equal(keys.inputs.hashKey, "idempotencyKey");
    assert.deepEqual(keys.inputs.ttl, { attributeName: "expiresAt", enabled: true }, "keys are forgotten after their retention");
    assert.equal(keys.inputs.streamEnabled, false, "no stream: idempotency records never reach the dispatcher");
  });

  it("maps the ledger stream to the dispatcher: INSERT only, bounded retries, records kept for the stream's 24 hours, bisect, failed batches to S3, partial batch responses", () => {
    const mapping = named("aws:lambda/eventSourceMapping:EventSourceMapping", "accounts-dispatcher-stream");
    assert.equal(mapping.inputs.eventSourceArn, `${named("aws:dynamodb/table:Table", "accounts-ledger-events").arn}/stream/2026`);
    assert.deepEqual(JSON.parse(mapping.inputs.filterCriteria.filters[0].pattern), { eventName: ["INSERT"] });
    assert.deepEqual(mapping.inputs.functionResponseTypes, ["ReportBatchItemFailures"]);
    assert.equal(mapping.inputs.bisectBatchOnFunctionError, true);
    assert.ok(mapping.inputs.maximumRetryAttempts >= 0 && mapping.inputs.maximumRetryAttempts <= 10000, "finite retries");
    assert.equal(
      mapping.inputs.maximumRecordAgeInSeconds,
      -1,
      "no record is given up on for its age before the stream itself drops it (24 h)",
    );
    const bucket = named("aws:s3/bucket:Bucket", "accounts-dispatcher-failed-batches");
    assert.equal(
      mapping.inputs.destinationConfig.onFailure.destinationArn,
      bucket.arn,
      "an S3 destination receives the records themselves, not only their sequence numbers",
    );
    assert.deepEqual(
      named("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "accounts-dispatcher-failed-batches-private").inputs
        .restrictPublicBuckets,
      true,
    );
    assert.equal(
      named("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "accounts-dispatcher-failed-batches-expiry").inputs.rules[0]
        .expiration.days,
      90,
    );
    const fn = named("aws:lambda/function:Function", "accounts-dispatcher-function");
    assert.equal(mapping.inputs.functionName, fn.arn);
    assert.equal(fn.inputs.environment.variables.SERVICE_NAME, "accounts");
    assert.equal(fn.inputs.environment.variables.DEAD_LETTER_QUEUE_URL, "https://sqs.local/accounts-dispatcher-dlq");
  });

  it("gives each projector its own queue, DLQ with maxReceiveCount, rule for its event types and queue policy for that rule only", () => {
    for (const [projector, types] of [
      ["accounts-balances", ["AccountOpened", "Credited", "Debited"]],
      ["accounts-last-transaction", ["Credited", "Debited"]],
    ] as const) {
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
    const patternOf = (projector: string) =>
      JSON.parse(named("aws:cloudwatch/eventRule:EventRule", `${projector}-rule`).inputs.eventPattern);
    const replay = (target?: string) => ({
      source: "accounts",
      "detail-type": REPLAY_EVENT_TYPE,
      detail: { event: { payload: target ? { target } : {} } },
    });
    assert.equal(matchesPattern(patternOf("accounts-balances"), replay("balances")), true);
    assert.equal(matchesPattern(patternOf("accounts-last-transaction"), replay("balances")), false);
    assert.equal(matchesPattern(patternOf("accounts-last-transaction"), replay()), true);
    assert.equal(
      matchesPattern(patternOf("accounts-last-transaction"), { source: "accounts", "detail-type": "AccountOpened", detail: {} }),
      false,
    );
    assert.equal(matchesPattern(patternOf("accounts-balances"), { source: "savings", "detail-type": "Credited", detail: {} }), false);
  });

  it("grants each function only the actions and resources it needs, never '*'", () => {
    const policies = ofType("aws:iam/rolePolicy:RolePolicy");
    // Accounts and savings: five functions each (dispatcher, three projectors, command API). The shop: a dispatcher,
    // a command API and a projector per service, six reactors, and each reactor's scheduler role.
    assert.equal(policies.length, 10 + 15 + 6);
    for (const policy of policies) {
      for (const statement of JSON.parse(policy.inputs.policy).Statement) {
        for (const action of statement.Action) assert.ok(!action.includes("*"), `${policy.name}: action ${action}`);
        for (const resource of statement.Resource) {
          // The wildcards: log streams inside the function's own log group, objects in its own failed-batches bucket.
          const ownLogStreams = statement.Sid === "OwnLogs" && /logGroup:LogGroup:[\w-]+-logs:\*$/.test(resource);
          const ownFailedBatches =
            statement.Sid === "FailedBatches" && /s3\/bucket:Bucket:[\w-]+-dispatcher-failed-batches\/\*$/.test(resource);
          const ownSchedules = statement.Sid === "ScheduleCommands" && /:schedule\/[\w.-]+-schedules-physical\/\*$/.test(resource);
          assert.ok(!resource.includes("*") || ownLogStreams || ownFailedBatches || ownSchedules, `${policy.name}: resource ${resource}`);
        }
      }
    }
    const actionsOf = (name: string) =>
      Object.fromEntries(
        JSON.parse(named("aws:iam/rolePolicy:RolePolicy", name).inputs.policy).Statement.map(
          (s: { Sid: string; Action: string[]; Resource: string[] }) => [s.Sid, { actions: s.Action, resources: s.Resource }],
        ),
      );
    const dispatcher = actionsOf("accounts-dispatcher-policy");
    const ledger = named("aws:dynamodb/table:Table", "accounts-ledger-events");
    assert.deepEqual(dispatcher.ReadLedger, { actions: ["dynamodb:Query"], resources: [ledger.arn] });
    assert.deepEqual(dispatcher.PublishToBus, {
      actions: ["events:PutEvents"],
      resources: [named("aws:cloudwatch/eventBus:EventBus", "accounts-bus-bus").arn],
    });
    assert.deepEqual(dispatcher.DeadLetters.resources, [named("aws:sqs/queue:Queue", "accounts-dispatcher-dlq").arn]);
    assert.deepEqual(Object.keys(dispatcher).sort(), [
      "DeadLetters",
      "FailedBatches",
      "FailedBatchesBucket",
      "OwnLogs",
      "PublishToBus",
      "ReadLedger",
      "ReadStream",
      "ReadWriteSnapshots",
    ]);
    const balances = actionsOf("accounts-balances-policy");
    assert.deepEqual(balances.WriteReadModel, {
      actions: ["dynamodb:PutItem"],
      resources: [named("aws:dynamodb/table:Table", "accounts-balances-table").arn],
    });
    assert.deepEqual(balances.ResolveClaimChecks, {
      actions: ["dynamodb:GetItem"],
      resources: [named("aws:dynamodb/table:Table", "accounts-ledger-snapshots").arn],
    });
    assert.ok(!JSON.stringify(balances).includes("events:"), "projectors never publish");
  });

  it("bundles each handler into an index.js archive whose module exports a handler function", async () => {
    const fn = named("aws:lambda/function:Function", "accounts-balances-function");
    assert.equal(fn.inputs.handler, "index.handler");
    const archive = await (fn.inputs.code as pulumi.asset.AssetArchive).assets;
    assert.deepEqual(Object.keys(archive), ["index.js"]);
    const load = (code: string) => {
      const module = { exports: {} as Record<string, unknown> };
      new Function("module", "exports", "require", code)(
        module,
        module.exports,
        createRequire(path.join(__dirname, "..", "..", "package.json")),
      );
      return module.exports;
    };
    for (const spec of [
      { kind: "dispatcher", module: "examples/accounts/domain.ts", exportName: "accounts" },
      { kind: "projector", module: "examples/accounts/projections.ts", exportName: "lastTransaction" },
    ] as const) {
      const { code } = bundleHandler(spec);
      assert.equal(typeof load(code).handler, "function", spec.kind);
    }
  });

  it("keeps every event EventBridge cannot deliver: a DLQ and a retry policy on each target, the DLQ open to that rule only", () => {
    for (const projector of ["accounts-balances", "accounts-last-transaction"]) {
      const target = named("aws:cloudwatch/eventTarget:EventTarget", `${projector}-target`);
      const dlq = named("aws:sqs/queue:Queue", `${projector}-dlq`);
      const rule = named("aws:cloudwatch/eventRule:EventRule", `${projector}-rule`);
      assert.deepEqual(target.inputs.deadLetterConfig, { arn: dlq.arn });
      assert.deepEqual(target.inputs.retryPolicy, { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 });
      const statement = JSON.parse(named("aws:sqs/queuePolicy:QueuePolicy", `${projector}-dlq-policy`).inputs.policy).Statement[0];
      assert.deepEqual(
        [statement.Principal, statement.Action, statement.Resource, statement.Condition],
        [{ Service: "events.amazonaws.com" }, "sqs:SendMessage", dlq.arn, { ArnEquals: { "aws:SourceArn": rule.arn } }],
      );
    }
  });

  it("sizes every queue so that the largest entry PutEvents accepts, in EventBridge's envelope, can be delivered and dead-lettered", () => {
    const entry = { Source: "a-service-name-of-some-length", DetailType: "ledger.SomeLongEventTypeName", Detail: "" };
    entry.Detail = JSON.stringify({ pad: "x".repeat(PUT_EVENTS_MAX_BYTES - 14 - entry.Source.length - entry.DetailType.length - 12) });
    const envelope = JSON.stringify({
      version: "0",
      id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
      "detail-type": entry.DetailType,
      source: entry.Source,
      account: "123456789012",
      time: "2026-11-24T06:07:07Z",
      region: "ap-southeast-5",
      resources: [],
      detail: JSON.parse(entry.Detail),
    });
    const queues = ofType("aws:sqs/queue:Queue");
    assert.ok(queues.length >= 6);
    for (const queue of queues) assert.equal(queue.inputs.maxMessageSize, SQS_MAX_MESSAGE_BYTES, queue.name);
    const headroom = SQS_MAX_MESSAGE_BYTES - Buffer.byteLength(envelope);
    assert.ok(headroom > 700_000, `headroom ${headroom} bytes`);
  });

  it("alarms on function errors and throttles, the dispatcher's iterator age, projector queue age and every DLQ, notifying the given topic", () => {
    const alarms = ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
    const of = (service: string) =>
      alarms
        .filter((alarm) => alarm.name.startsWith(`${service}-`))
        .map((alarm) => alarm.name)
        .sort();
    assert.deepEqual(of("accounts"), [
      "accounts-balances-dead-letters",
      "accounts-balances-errors",
      "accounts-balances-queue-age",
      "accounts-balances-throttles",
      "accounts-commands-errors",
      "accounts-commands-throttles",
      "accounts-dispatcher-dead-letters",
      "accounts-dispatcher-errors",
      "accounts-dispatcher-iterator-age",
      "accounts-dispatcher-throttles",
      "accounts-last-transaction-dead-letters",
      "accounts-last-transaction-errors",
      "accounts-last-transaction-queue-age",
      "accounts-last-transaction-throttles",
      "accounts-replica-dead-letters",
      "accounts-replica-errors",
      "accounts-replica-queue-age",
      "accounts-replica-throttles",
    ]);
    const deadLetters = named("aws:cloudwatch/metricAlarm:MetricAlarm", "accounts-balances-dead-letters");
    assert.deepEqual(
      [deadLetters.inputs.metricName, deadLetters.inputs.threshold, deadLetters.inputs.dimensions.QueueName],
      ["ApproximateNumberOfMessagesVisible", 1, "accounts-balances-dlq-physical"],
    );
    assert.equal(named("aws:cloudwatch/metricAlarm:MetricAlarm", "accounts-dispatcher-iterator-age").inputs.threshold, 300_000);
    assert.deepEqual(named("aws:cloudwatch/metricAlarm:MetricAlarm", "accounts-dispatcher-errors").inputs.alarmActions, []);
    for (const alarm of alarms.filter((a) => a.name.startsWith("savings-")))
      assert.deepEqual(alarm.inputs.alarmActions, [SAVINGS_ON_CALL], alarm.name);
  });

  it("grants the ledger's customer-managed key to every function that reads its tables, and to none when there is none", () => {
    const keyStatement = (policy: string) =>
      JSON.parse(named("aws:iam/rolePolicy:RolePolicy", policy).inputs.policy).Statement.find(
        (s: { Sid: string }) => s.Sid === "UseTableKey",
      );
    for (const fn of ["savings-dispatcher", "savings-balances", "savings-last-transaction"])
      assert.deepEqual(
        keyStatement(`${fn}-policy`),
        { Sid: "UseTableKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: [SAVINGS_KEY] },
        fn,
      );
    for (const fn of ["accounts-dispatcher", "accounts-balances"]) assert.equal(keyStatement(`${fn}-policy`), undefined, fn);
    assert.equal(named("aws:dynamodb/table:Table", "savings-ledger-events").inputs.serverSideEncryption.kmsKeyArn, SAVINGS_KEY);
  });

  it("serves the command side behind an IAM-authenticated function URL, fast path on the replica, and refuses a public URL not asked for by name", () => {
    const url = named("aws:lambda/functionUrl:FunctionUrl", "accounts-commands-url");
    assert.equal(url.inputs.authorizationType, "AWS_IAM");
    const fn = named("aws:lambda/function:Function", "accounts-commands-function");
    assert.equal(url.inputs.functionName, `${fn.name}-physical`);
    assert.equal(fn.inputs.environment.variables.REPLICA_TABLE_NAME, "accounts-replica-table-physical");
    assert.equal(fn.inputs.environment.variables.IDEMPOTENCY_TABLE_NAME, "accounts-ledger-idempotency-physical");
    const { CommandApi } = require("../../components") as typeof import("../../components");
    const ledger = {} as never;
    assert.throws(
      () => new CommandApi("open-by-mistake", { ledger, domainModule: "x", auth: { type: "NONE" } as never }),
      /auth must be "AWS_IAM" or \{ type: "NONE", acknowledgePublicEndpoint: true \}/,
    );
  });

  it("composes two microservices in one program without a name collision", () => {
    const keys = registered.map((resource) => `${resource.type}::${resource.name}`);
    assert.equal(new Set(keys).size, keys.length);
    assert.equal(ofType("aws:lambda/function:Function").length, 10 + 15);
    assert.equal(ofType("aws:cloudwatch/eventArchive:EventArchive").length, 1, "only savings asked for an archive");
  });
});
