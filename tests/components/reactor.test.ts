import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { EventLedger, Reactor, ServiceBus } from "../../components";
import { compose, lookup, valueOf } from "../../local/pulumiMocks";

const shop = path.join(__dirname, "..", "..", "examples", "shop");
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/payments";

type Statement = { Sid: string; Action: string[]; Resource: string[]; Condition?: Record<string, Record<string, string>> };
const statementsOf = (policy: { inputs: Record<string, unknown> }) => JSON.parse(policy.inputs.policy as string).Statement as Statement[];
const sid = (statements: Statement[], id: string) => statements.find((statement) => statement.Sid === id);

/** A payments reactor on the orders bus, as the shop composes it. */
const chargeOrders = (args: Partial<ConstructorParameters<typeof Reactor>[1]> = {}) =>
  new Reactor("payments-charge-orders", {
    bus: new ServiceBus("orders-bus", { serviceName: "orders" }),
    ledger: new EventLedger("payments-ledger", { kmsKeyArn: KEY }),
    reactionModule: path.join(shop, "payments.ts"),
    reactionExport: "chargeOrders",
    ...args,
  });

describe("Reactor", () => {
  it("subscribes on the source's bus to the contract's detail-types of its event types, never to replays", async () => {
    const { result, resources } = await compose(() => chargeOrders());
    const { named } = lookup(resources);
    const rule = named("aws:cloudwatch/eventRule:EventRule", "payments-charge-orders-rule").inputs;
    assert.deepEqual(JSON.parse(rule.eventPattern), { source: ["orders"], "detail-type": ["orders.v1.OrderPlaced"] });
    assert.equal(rule.eventBusName, "orders-bus-bus-physical");
    assert.equal(result.reactionName, "charge-orders");
    assert.equal(result.sourceService, "orders");
    const target = named("aws:cloudwatch/eventTarget:EventTarget", "payments-charge-orders-target").inputs;
    assert.equal(target.arn, "arn:aws:mock:aws:sqs/queue:Queue:payments-charge-orders-queue");
    assert.equal(target.deadLetterConfig.arn, "arn:aws:mock:aws:sqs/queue:Queue:payments-charge-orders-dlq");
  });

  it("lets its function run commands on its own ledger only, keep keys and checkpoints, and create schedules in its own group", async () => {
    const { resources } = await compose(() => chargeOrders());
    const { named } = lookup(resources);
    const statements = statementsOf(named("aws:iam/rolePolicy:RolePolicy", "payments-charge-orders-policy"));
    assert.deepEqual(sid(statements, "Ledger")!.Action, ["dynamodb:Query", "dynamodb:PutItem"]);
    assert.deepEqual(sid(statements, "Ledger")!.Resource, ["arn:aws:mock:aws:dynamodb/table:Table:payments-ledger-events"]);
    assert.deepEqual(sid(statements, "KeysAndCheckpoints")!.Action, ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"]);
    assert.deepEqual(sid(statements, "KeysAndCheckpoints")!.Resource, [
      "arn:aws:mock:aws:dynamodb/table:Table:payments-ledger-idempotency",
    ]);
    assert.deepEqual(sid(statements, "ScheduleCommands")!.Action, ["scheduler:CreateSchedule"]);
    assert.match(
      sid(statements, "ScheduleCommands")!.Resource[0],
      /^arn:aws:scheduler:.*:schedule\/payments-charge-orders-schedules-physical\/\*$/,
    );
    assert.deepEqual(sid(statements, "PassSchedulerRole")!.Resource, [
      "arn:aws:mock:aws:iam/role:Role:payments-charge-orders-scheduler-role",
    ]);
    assert.deepEqual(sid(statements, "PassSchedulerRole")!.Condition, {
      StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" },
    });
    assert.ok(statements.some((statement) => statement.Action.includes("kms:Decrypt") && statement.Resource.includes(KEY)));
    const env = named("aws:lambda/function:Function", "payments-charge-orders-function").inputs.environment.variables;
    assert.equal(env.LEDGER_TABLE_NAME, "payments-ledger-events-physical");
    assert.equal(env.IDEMPOTENCY_TABLE_NAME, "payments-ledger-idempotency-physical");
    assert.equal(env.SCHEDULE_GROUP_NAME, "payments-charge-orders-schedules-physical");
    assert.equal(env.REACTOR_QUEUE_ARN, "arn:aws:mock:aws:sqs/queue:Queue:payments-charge-orders-queue");
    assert.equal(env.MAX_RECEIVE_COUNT, "5", "the function knows its last receive");
    // A version waiting behind a dead holder's claim is received once per visibility timeout: the claim must end first.
    const queue = named("aws:sqs/queue:Queue", "payments-charge-orders-queue").inputs;
    const lease = Number(env.CLAIM_LEASE_MS);
    const visibilityMs = queue.visibilityTimeoutSeconds * 1000;
    assert.equal(lease, 210_000, "seven times the function's timeout (30 s)");
    assert.ok(
      lease >= visibilityMs + 30_000,
      "as long as a holder retried for now takes to come back and claim again (visibility timeout + one invocation)",
    );
    assert.ok(lease < visibilityMs * (5 - 1), "and over before a version waiting behind a dead holder runs out of receives");
  });

  it("refuses a second Reactor of one reaction name on one ledger (they would share checkpoints and command keys), and allows it on another ledger", async () => {
    await assert.rejects(
      compose(() => {
        const bus = new ServiceBus("orders-bus", { serviceName: "orders" });
        const ledger = new EventLedger("payments-ledger");
        const reaction = { bus, ledger, reactionModule: path.join(shop, "payments.ts"), reactionExport: "chargeOrders" };
        new Reactor("payments-charge-orders", reaction);
        new Reactor("payments-charge-orders-copy", reaction);
        return {};
      }),
      /Reactor "payments-charge-orders-copy": reaction "charge-orders" already runs on this ledger in Reactor "payments-charge-orders"/,
    );
    const { resources } = await compose(() => {
      const bus = new ServiceBus("orders-bus", { serviceName: "orders" });
      const reaction = { bus, reactionModule: path.join(shop, "payments.ts"), reactionExport: "chargeOrders" };
      new Reactor("eu-charge-orders", { ...reaction, ledger: new EventLedger("eu-payments-ledger") });
      new Reactor("us-charge-orders", { ...reaction, ledger: new EventLedger("us-payments-ledger") });
      return {};
    });
    assert.equal(resources.filter((resource) => resource.type === "aws:lambda/function:Function").length, 2);
  });

  it("gives EventBridge Scheduler a role only this account's schedules assume, that may send to the queue and its DLQ", async () => {
    const { resources } = await compose(() => chargeOrders());
    const { named } = lookup(resources);
    const trust = JSON.parse(named("aws:iam/role:Role", "payments-charge-orders-scheduler-role").inputs.assumeRolePolicy).Statement[0];
    assert.deepEqual(trust.Principal, { Service: "scheduler.amazonaws.com" });
    assert.ok(trust.Condition.StringEquals["aws:SourceAccount"] !== undefined);
    assert.match(
      trust.Condition.ArnLike["aws:SourceArn"],
      /^arn:aws:scheduler:.*:schedule-group\/payments-charge-orders-schedules-physical$/,
    );
    const statements = statementsOf(named("aws:iam/rolePolicy:RolePolicy", "payments-charge-orders-scheduler-policy"));
    assert.deepEqual(sid(statements, "SendDueCommands")!.Resource, [
      "arn:aws:mock:aws:sqs/queue:Queue:payments-charge-orders-queue",
      "arn:aws:mock:aws:sqs/queue:Queue:payments-charge-orders-dlq",
    ]);
  });

  it("creates no schedule group, scheduler role or scheduling permission with schedules: false", async () => {
    const { result, resources } = await compose(() => chargeOrders({ schedules: false }));
    const { ofType, named } = lookup(resources);
    assert.equal(ofType("aws:scheduler/scheduleGroup:ScheduleGroup").length, 0);
    assert.equal(result.schedulerRole, undefined);
    const statements = statementsOf(named("aws:iam/rolePolicy:RolePolicy", "payments-charge-orders-policy"));
    assert.equal(sid(statements, "ScheduleCommands"), undefined);
    assert.equal(
      named("aws:lambda/function:Function", "payments-charge-orders-function").inputs.environment.variables.SCHEDULE_GROUP_NAME,
      undefined,
    );
  });

  it("subscribes to a bus of another stack given by its outputs", async () => {
    const { resources } = await compose(() =>
      chargeOrders({
        bus: {
          busName: pulumi.output("orders-bus-prod"),
          busArn: pulumi.output("arn:aws:events:eu-west-1:1:event-bus/orders-bus-prod"),
          serviceName: pulumi.output("orders"),
        },
      }),
    );
    const rule = lookup(resources).named("aws:cloudwatch/eventRule:EventRule", "payments-charge-orders-rule").inputs;
    assert.equal(rule.eventBusName, "orders-bus-prod");
    assert.deepEqual(JSON.parse(rule.eventPattern).source, ["orders"]);
  });

  it("reacts to its own service's events by their event types on its own bus", async () => {
    const { resources } = await compose(
      () =>
        new Reactor("orders-cancel-unpaid", {
          bus: new ServiceBus("orders-bus", { serviceName: "orders" }),
          ledger: new EventLedger("orders-ledger", {}),
          reactionModule: path.join(shop, "orders.ts"),
          reactionExport: "cancelUnpaid",
        }),
    );
    const rule = lookup(resources).named("aws:cloudwatch/eventRule:EventRule", "orders-cancel-unpaid-rule").inputs;
    assert.deepEqual(JSON.parse(rule.eventPattern), { source: ["orders"], "detail-type": ["OrderPlaced"] });
  });

  it("refuses, when the program runs, a module export that is not a reaction, naming it", async () => {
    await assert.rejects(
      compose(() => chargeOrders({ reactionExport: "payments" })),
      /payments\.ts export "payments" cannot be the reactor's: the reaction/,
    );
  });

  it("answers a queue age alarm and a dead-letter alarm, and names its queue", async () => {
    const { result, resources } = await compose(() => chargeOrders());
    const alarms = lookup(resources)
      .ofType("aws:cloudwatch/metricAlarm:MetricAlarm")
      .map((alarm) => alarm.name);
    assert.ok(alarms.includes("payments-charge-orders-queue-age"));
    assert.ok(alarms.includes("payments-charge-orders-dead-letters"));
    assert.equal(await valueOf(result.queueUrl), "https://sqs.local/payments-charge-orders-queue");
  });

  it("starts its commands decide-first when asked, and may then check a predecessor in its write", async () => {
    const { resources } = await compose(() => chargeOrders({ start: "decide-first" }));
    const { named } = lookup(resources);
    assert.equal(
      named("aws:lambda/function:Function", "payments-charge-orders-function").inputs.environment.variables.COMMAND_START,
      "decide-first",
    );
    const statements = statementsOf(named("aws:iam/rolePolicy:RolePolicy", "payments-charge-orders-policy"));
    assert.deepEqual(sid(statements, "Ledger")!.Action, ["dynamodb:Query", "dynamodb:PutItem", "dynamodb:ConditionCheckItem"]);
    await assert.rejects(
      compose(() => chargeOrders({ start: "eventually" as never })),
      /Reactor "payments-charge-orders".*start/,
    );
  });
});
