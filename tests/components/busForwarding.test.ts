import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { BusForwarding, ServiceBus } from "../../components";
import { NAME_RULES } from "../../components/names";
import { compose, lookup } from "../../local/pulumiMocks";
import { accountsContract } from "../unit/contracts/fixtures";

const CONSUMER_BUS = "arn:aws:events:eu-west-1:222222222222:event-bus/payments-bus";

describe("BusForwarding: the producer's side of a subscription from another account", () => {
  it("matches the service's forwarded detail-types on its bus and targets the consumer's bus with a role and a DLQ", async () => {
    const { result, resources } = await compose(() => {
      const bus = new ServiceBus("accounts-bus", { serviceName: "accounts" });
      return new BusForwarding("accounts-to-payments", {
        sourceBus: bus,
        targetBusArn: CONSUMER_BUS,
        contracts: [accountsContract],
        eventTypes: ["Credited"],
      });
    });
    const { named } = lookup(resources);
    const rule = named("aws:cloudwatch/eventRule:EventRule", "accounts-to-payments-rule");
    assert.equal(rule.inputs.eventBusName, "accounts-bus-bus-physical");
    assert.deepEqual(JSON.parse(rule.inputs.eventPattern), {
      source: ["accounts"],
      "detail-type": ["accounts.v1.AccountOpened", "accounts.v1.BalanceChanged", "Credited"],
    });
    assert.deepEqual(result.detailTypes, ["accounts.v1.AccountOpened", "accounts.v1.BalanceChanged", "Credited"]);

    const role = named("aws:iam/role:Role", "accounts-to-payments-role");
    assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement, [
      { Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    assert.deepEqual(JSON.parse(named("aws:iam/rolePolicy:RolePolicy", "accounts-to-payments-policy").inputs.policy).Statement, [
      { Sid: "PutOnTargetBus", Effect: "Allow", Action: ["events:PutEvents"], Resource: [CONSUMER_BUS] },
    ]);

    const dlq = named("aws:sqs/queue:Queue", "accounts-to-payments-dlq");
    const target = named("aws:cloudwatch/eventTarget:EventTarget", "accounts-to-payments-target").inputs;
    assert.deepEqual(
      [target.arn, target.roleArn, target.deadLetterConfig, target.eventBusName, target.retryPolicy],
      [CONSUMER_BUS, role.arn, { arn: dlq.arn }, "accounts-bus-bus-physical", undefined],
      "no retry policy: an event bus target takes none",
    );
    const [dlqStatement] = JSON.parse(named("aws:sqs/queuePolicy:QueuePolicy", "accounts-to-payments-dlq-policy").inputs.policy).Statement;
    assert.deepEqual(
      [dlqStatement.Principal, dlqStatement.Action, dlqStatement.Resource, dlqStatement.Condition],
      [{ Service: "events.amazonaws.com" }, "sqs:SendMessage", dlq.arn, { ArnEquals: { "aws:SourceArn": rule.arn } }],
    );
    named("aws:cloudwatch/metricAlarm:MetricAlarm", "accounts-to-payments-dead-letters");
  });

  it("takes the source bus by its attributes (Outputs) and refuses what it cannot forward, naming why", async () => {
    const attributes = {
      busName: pulumi.output("accounts-bus"),
      busArn: pulumi.output("arn:aws:events:::event-bus/a"),
      serviceName: pulumi.output("accounts"),
    };
    const { resources } = await compose(
      () => new BusForwarding("fwd", { sourceBus: attributes, targetBusArn: CONSUMER_BUS, eventTypes: ["AccountOpened"] }),
    );
    const rule = lookup(resources).named("aws:cloudwatch/eventRule:EventRule", "fwd-rule").inputs;
    assert.deepEqual(
      [rule.eventBusName, JSON.parse(rule.eventPattern)],
      ["accounts-bus", { source: ["accounts"], "detail-type": ["AccountOpened"] }],
    );

    const plain = { busName: "accounts-bus", busArn: "arn:aws:events:::event-bus/a", serviceName: "ledger" };
    await assert.rejects(
      compose(() => new BusForwarding("fwd", { sourceBus: plain, targetBusArn: CONSUMER_BUS })),
      /BusForwarding "fwd": nothing to forward: give `contracts` \(their public events\) or `eventTypes`/,
    );
    await assert.rejects(
      compose(() => new BusForwarding("fwd", { sourceBus: plain, targetBusArn: CONSUMER_BUS, contracts: [accountsContract] })),
      /contract accounts v1 is service "accounts"'s, but the source bus carries "ledger"'s events/,
    );
    await assert.rejects(
      compose(() => new BusForwarding("fwd", { sourceBus: plain, targetBusArn: "", eventTypes: ["AccountOpened"] })),
      /`targetBusArn` is required/,
    );
  });

  it("names its rule, role and queue within AWS's limits when the component's name is long", async () => {
    const name = "international-settlements-accounts-to-payments-forwarding-eu-west";
    const { resources } = await compose(
      () =>
        new BusForwarding(name, {
          sourceBus: new ServiceBus("accounts-bus", { serviceName: "accounts" }),
          targetBusArn: CONSUMER_BUS,
          eventTypes: ["Credited"],
        }),
    );
    const { named } = lookup(resources);
    const prefixed = (value: string, rule: { maxLength: number }) => value.length + 26 <= rule.maxLength;
    const rule = named("aws:cloudwatch/eventRule:EventRule", `${name}-rule`).inputs.namePrefix;
    assert.ok(prefixed(rule, NAME_RULES.eventRule) && /^[A-Za-z0-9._-]+$/.test(rule), rule);
    const role = named("aws:iam/role:Role", `${name}-role`).inputs.namePrefix;
    assert.ok(prefixed(role, NAME_RULES.iamRole), role);
    const queue = named("aws:sqs/queue:Queue", `${name}-dlq`).inputs;
    assert.ok((queue.namePrefix ?? `${name}-dlq-0a1b2c3`).length <= NAME_RULES.sqsQueue.maxLength);
  });
});
