import * as assert from "node:assert/strict";
import { marshall } from "@aws-sdk/util-dynamodb";
import { AccountCommand, AccountState, accounts } from "../../../examples/accounts/domain";
import { balances } from "../../../examples/accounts/projections";
import { Projector } from "../../../handlers/runtime/projection/projector";
import { listDeadLetters, showDeadLetter } from "../../../handlers/runtime/operations/deadLetterRedrive/redrive";
import { MessageDeadLetters } from "../../../handlers/runtime/memory/deadLetters";
import { StreamRecord } from "../../../handlers/runtime/dispatch/streamRecords";
import { LocalStage } from "../../../local/stage";
import { LocalQueue } from "../../../local/localQueue";
import { flakyPublication } from "../../unit/contracts/fixtures";

const start = (
  serviceName: string,
  options: {
    projections?: Parameters<typeof LocalStage.start<AccountState, AccountCommand>>[0]["projections"];
    queueMaxMessageBytes?: number;
  } = {},
) =>
  LocalStage.start<AccountState, AccountCommand>({
    serviceName,
    domain: accounts,
    projections: options.projections ?? [balances],
    queueMaxMessageBytes: options.queueMaxMessageBytes,
  });

const attributesOf = (message: { attributes: Record<string, { stringValue?: string }> }) =>
  Object.fromEntries(Object.entries(message.attributes).map(([name, value]) => [name, value.stringValue]));

describe("local stage: dead letters as AWS writes them", function () {
  this.timeout(120_000);

  it("a projector's queue moves a message it could not get processed, after maxReceiveCount, to its DLQ as it is: the EventBridge envelope, its source named; redrive puts it back on that queue", async () => {
    const stage = await start("dl-redrive");
    try {
      const [local] = stage.projectors;
      // The read model refuses writes (throttled, say): an error worth retrying, so the projector reports the message failed.
      let broken = true;
      const readModel = {
        get: (id: string) => local.readModel.get(id),
        putIfNewer: (...args: Parameters<typeof local.readModel.putIfNewer>) =>
          broken ? Promise.reject(new Error("throttled")) : local.readModel.putIfNewer(...args),
      };
      local.projector = new Projector({
        projection: balances,
        readModel,
        deadLetters: new MessageDeadLetters((body, attributes) => void local.deadLetterQueue.send(body, attributes)),
      });
      await stage.commands.execute("a", { kind: "Open", owner: "ada" });
      await stage.settle();
      assert.equal(local.queue.stats.delivered, 5, "received maxReceiveCount times");
      const [moved] = local.deadLetterQueue.peek();
      assert.equal(moved.sourceQueueArn, local.queue.arn);
      const envelope = JSON.parse(moved.body);
      assert.equal(envelope["detail-type"], "AccountOpened");
      assert.equal(envelope.detail.event.aggregateId, "a");
      assert.deepEqual(moved.attributes, {}, "EventBridge sets no attributes on what it delivers, and SQS adds none when it moves it");

      const { letters } = await listDeadLetters(stage.deadLetterQueue("balances-dlq"));
      assert.deepEqual(
        letters.map((letter) => [letter.shape.kind, letter.destination]),
        [["queue-redrive", `to queue ${local.queue.arn}`]],
      );

      broken = false;
      const report = await stage.redrive("balances-dlq");
      assert.deepEqual(
        report.redriven.map((outcome) => outcome.to),
        [local.queue.arn],
      );
      assert.equal(local.deadLetterQueue.depth, 0);
      assert.deepEqual(await local.readModel.get("a"), { id: "a", version: 1, owner: "ada", balance: 0 });
    } finally {
      await stage.stop();
    }
  });

  it("a public event the dispatcher could not publish is dead-lettered for its publications; once the mapping is fixed, redrive publishes it again from the ledger, to the subscribers only", async () => {
    let broken = true;
    const flaky = flakyPublication(() => broken);
    const stage = await LocalStage.start<AccountState, AccountCommand>({
      serviceName: "accounts",
      domain: accounts,
      projections: [balances],
      publications: [flaky],
    });
    try {
      // Another service's subscription to the contract, as a Reactor's rule on this bus would be.
      const subscriber = new LocalQueue("subscriber");
      stage.bus.subscribe({ source: ["accounts"], "detail-type": ["accounts.v1.AccountOpened", "accounts.v1.BalanceChanged"] }, subscriber);
      await stage.commands.execute("p", { kind: "Open", owner: "ada" });
      await stage.commands.execute("p", { kind: "Credit", amount: 5 });
      await stage.commands.execute("p", { kind: "Credit", amount: 2 });
      await stage.settle();
      const published = () => subscriber.receive(10).map((message) => JSON.parse(message.body).detail);
      assert.deepEqual(
        published().map((event) => event.type),
        ["AccountOpened"],
      );
      const { letters } = await listDeadLetters(stage.deadLetterQueue("dispatcher-dlq"), { targets: stage.redriveTargets });
      assert.equal(letters.length, 2, "each Credited's record");
      assert.match(letters[0].destination, /public events of p v2 published again/);

      broken = false;
      const row = await stage.projectors[0].readModel.get("p");
      const report = await stage.redrive("dispatcher-dlq");
      assert.deepEqual([report.redriven.length, report.skipped, report.failed], [2, [], []]);
      assert.deepEqual(
        published().map((event) => [event.type, event.version, event.payload.balance]),
        [
          ["BalanceChanged", 2, 5],
          ["BalanceChanged", 3, 7],
        ],
        "as they would have been published then",
      );
      assert.deepEqual(await stage.projectors[0].readModel.get("p"), row, "no projector took the replay: the row is as it was");
      assert.equal(stage.dispatcherDeadLetters.depth, 0);
    } finally {
      await stage.stop();
    }
  });

  it("the bus puts an event its target refuses on the target's DLQ with EventBridge's attributes: at once for a refusal no retry changes, after the retry policy for a transient one; redrive sends it to that target alone", async () => {
    const stage = await start("dl-bus");
    try {
      const [local] = stage.projectors;
      // Refused for good (a missing permission), then throttled on every attempt.
      let fault: "permission" | "throttled" | undefined = "permission";
      stage.bus.failDelivery = (queue) =>
        queue !== local.queue || !fault
          ? undefined
          : fault === "permission"
            ? { code: "NO_PERMISSIONS", message: "not authorized to sqs:SendMessage", retryable: false }
            : { code: "THROTTLING", message: "rate exceeded", retryable: true };
      await stage.commands.execute("b", { kind: "Open", owner: "bob" });
      await stage.settle();
      fault = "throttled";
      await stage.commands.execute("b", { kind: "Credit", amount: 5 });
      await stage.settle();

      const [refused, exhausted] = local.deadLetterQueue.peek();
      const ruleArn = "arn:aws:events:local:000000000000:rule/local/balances-rule";
      assert.deepEqual(attributesOf(refused), {
        RULE_ARN: ruleArn,
        TARGET_ARN: local.queue.arn,
        ERROR_CODE: "NO_PERMISSIONS",
        ERROR_MESSAGE: "not authorized to sqs:SendMessage",
        RETRY_ATTEMPTS: "0",
      });
      assert.deepEqual(attributesOf(exhausted), {
        RULE_ARN: ruleArn,
        TARGET_ARN: local.queue.arn,
        ERROR_CODE: "THROTTLING",
        ERROR_MESSAGE: "rate exceeded",
        RETRY_ATTEMPTS: "185",
        EXHAUSTED_RETRY_CONDITION: "MaximumRetryAttempts",
      });
      assert.equal(JSON.parse(refused.body)["detail-type"], "AccountOpened", "the event as it is");
      assert.equal(refused.sourceQueueArn, undefined);
      assert.equal(stage.bus.deliveries.retried, 185);

      const shown = await showDeadLetter(stage.deadLetterQueue("balances-dlq"), exhausted.messageId);
      assert.equal(shown?.shape.kind, "bus-target");
      assert.match(shown!.summary, /THROTTLING rate exceeded \(MaximumRetryAttempts after 185 retries\)/);

      fault = undefined;
      const report = await stage.redrive("balances-dlq");
      assert.equal(report.redriven.length, 2);
      assert.deepEqual(await local.readModel.get("b"), { id: "b", version: 2, owner: "bob", balance: 5 });
      assert.equal(local.queue.stats.sent, 2, "only the two redriven events reached the queue");
    } finally {
      await stage.stop();
    }
  });

  it("the bus dead-letters an event over the target queue's size limit without retrying it", async () => {
    const stage = await start("dl-size", { queueMaxMessageBytes: 600 });
    try {
      await stage.commands.execute("c", { kind: "Open", owner: "x".repeat(700) });
      await stage.settle();
      const [letter] = stage.projectors[0].deadLetterQueue.peek();
      assert.equal(attributesOf(letter).ERROR_CODE, "SDK_CLIENT_ERROR");
      assert.match(attributesOf(letter).ERROR_MESSAGE!, /over queue balances's MaximumMessageSize of 600 bytes/);
      assert.equal(attributesOf(letter).RETRY_ATTEMPTS, "0");
      assert.equal(stage.bus.deliveries.retried, 0);
    } finally {
      await stage.stop();
    }
  });

  it("handlers put their own letters { reason, origin, input } on their DLQ; redrive sends a projector's back to its queue and replays a dispatcher's aggregates", async () => {
    // A projection deployed with a schema version the dispatcher does not carry, and no upcast: every message is poison.
    const misdeployed = { ...balances, schemaVersion: 2 };
    const stage = await start("dl-handler", { projections: [misdeployed] });
    try {
      const [local] = stage.projectors;
      await stage.commands.execute("d", { kind: "Open", owner: "dee" });
      await stage.settle();
      const [projectorLetter] = local.deadLetterQueue.peek();
      assert.deepEqual(attributesOf(projectorLetter), {
        reason: 'aggregate schema version 1 is not 2 and projector "balances" has no upcast',
        origin: "projector:balances",
      });
      const letter = JSON.parse(projectorLetter.body);
      assert.equal(letter.origin, "projector:balances");
      assert.equal(JSON.parse(letter.input.body)["detail-type"], "AccountOpened", "the input is the queue message, envelope and all");

      // A stream record the dispatcher cannot read (an event type its domain does not know).
      const poison: StreamRecord = {
        eventName: "INSERT",
        dynamodb: {
          SequenceNumber: "1",
          NewImage: marshall({
            aggregateId: "d",
            version: 9,
            type: "Teleported",
            payload: {},
            timestamp: new Date().toISOString(),
          }) as never,
        },
      };
      await stage.dispatcher.dispatch([poison]);
      const [dispatcherLetter] = stage.dispatcherDeadLetters.peek();
      assert.equal(JSON.parse(dispatcherLetter.body).origin, "dispatcher");
      assert.deepEqual(JSON.parse(dispatcherLetter.body).input, JSON.parse(JSON.stringify(poison)));

      const { letters } = await listDeadLetters(stage.deadLetterQueue("dispatcher-dlq"), { targets: stage.redriveTargets });
      assert.deepEqual(
        letters.map((view) => [view.shape.kind, view.destination]),
        [["handler", "replay of d (the dispatcher publishes them again)"]],
      );

      // The fix deployed: the projector now reads schema version 1.
      local.projector = new Projector({
        projection: balances,
        readModel: local.readModel,
        snapshots: stage.snapshots,
        deadLetters: new MessageDeadLetters((body, attributes) => void local.deadLetterQueue.send(body, attributes)),
      });
      const projected = await stage.redrive("balances-dlq");
      assert.deepEqual(
        projected.redriven.map((outcome) => [outcome.shape, outcome.to]),
        [["handler", local.queue.arn]],
      );
      assert.deepEqual(await local.readModel.get("d"), { id: "d", version: 1, owner: "dee", balance: 0 });

      const dispatched = await stage.redrive("dispatcher-dlq");
      assert.deepEqual(
        dispatched.redriven.map((outcome) => outcome.to),
        ["replay d"],
      );
      assert.equal((await stage.commands.query("d")).version, 2, "a replay event was appended");
      assert.equal((await local.readModel.get("d"))?.version, 2, "and published again to the projector");
      assert.equal(stage.deadLetters.length, 0);
    } finally {
      await stage.stop();
    }
  });
});
