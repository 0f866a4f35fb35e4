import * as assert from "node:assert/strict";
import * as path from "node:path";
import { DynamoDbLocal } from "../../../local/dynamodbLocal";
import { LocalNetwork } from "../../../local/network";
import { ProgramPlan, discoverProgram } from "../../../local/program";
import { runShop } from "../../../local/shop";
import { integerEnv } from "../../../handlers/runtime/support/environment";

/** Seeded runs of the shop under every fault in CI; SHOP_CHAOS_RUNS=50 (say) for more locally. */
const RUNS = integerEnv("SHOP_CHAOS_RUNS", 1) ?? 3;

describe("the shop's three services under delivery chaos and SDK faults (npm start's shop scenario)", function () {
  this.timeout(120_000 + RUNS * 90_000);
  let plan: ProgramPlan;

  before(async () => {
    plan = await discoverProgram(path.join(__dirname, "..", "..", "..", "index.ts"));
  });

  it("finds the example program's services, what each publishes, and which bus each reactor's rule is on", () => {
    const shop = plan.services.filter((service) => service.serviceName !== "accounts");
    assert.deepEqual(
      shop.map((service) => [
        service.serviceName,
        service.publications.map((publication) => publication.contract.name),
        service.reactions.map((r) => `${r.reaction.name}<-${r.sourceService}`),
      ]),
      [
        ["orders", ["orders"], ["settle-payments<-payments", "record-shipments<-shipping", "cancel-unpaid<-orders"]],
        ["payments", ["payments"], ["charge-orders<-orders", "refund-cancelled<-orders"]],
        ["shipping", ["shipping"], ["ship-paid-orders<-orders"]],
      ],
    );
    assert.deepEqual(plan.notRun, []);
  });

  for (let seed = 1; seed <= RUNS; seed += 1)
    it(`carries every order to the end its amount says, one command per source event, read models equal to the ledgers (seed ${seed})`, async () => {
      const network = await LocalNetwork.start(
        plan.services.filter((service) => service.serviceName !== "accounts"),
        { chaos: { seed }, sdkChaos: { seed } },
      );
      try {
        const report = await runShop(network, { orders: 15, seed, concurrency: 4 });
        assert.deepEqual(report.problems, [], `seed ${seed}`);
        const faults = [...network.stages.values()].reduce((sum, stage) => sum + stage.faults.total, 0);
        assert.ok(faults > 0, "faults were injected");
        assert.equal(
          report.reactors.find((reactor) => reactor.name === "cancel-unpaid")!.scheduled,
          15,
          "every order's timeout was scheduled",
        );
      } finally {
        await network.stop();
      }
    });

  it("dead-letters a due command EventBridge Scheduler could not deliver in Scheduler's shape, and its redrive cancels the orders it was for", async () => {
    const network = await LocalNetwork.start(plan.services.filter((service) => service.serviceName !== "accounts"));
    try {
      const orders = network.stage("orders");
      const cancelUnpaid = orders.reactors.find((local) => local.reaction.name === "cancel-unpaid")!;
      // Every timeout's first send refused for good, as a queue that is gone (or refuses Scheduler's role) would.
      cancelUnpaid.failDelivery = () => ({
        code: "AWS.SimpleQueueService.NonExistentQueue",
        message: "The specified queue does not exist.",
        retryable: false,
      });
      const report = await runShop(network, { orders: 6, seed: 4, concurrency: 2 });

      const letters = network.deadLetters;
      assert.equal(letters.length, 6, "every order's timeout, none lost");
      assert.ok(
        letters.every((letter) => letter.queue === "cancel-unpaid-dlq" && letter.shape === "schedule-target"),
        JSON.stringify(letters[0]),
      );
      assert.match(
        letters[0].reason,
        /Scheduler could not deliver it to .*cancel-unpaid \(schedule .*cancel-unpaid-schedules\/.*NonExistentQueue/,
      );
      assert.ok(
        report.problems.some((problem) => /OrderCancelled/.test(problem)),
        "the unpaid orders are not cancelled while their timeouts are held",
      );

      cancelUnpaid.failDelivery = undefined;
      const redrive = await orders.redrive("cancel-unpaid-dlq");
      assert.deepEqual([redrive.redriven.length, redrive.skipped, redrive.failed], [6, [], []]);
      await network.settle();
      assert.deepEqual(await report.check(), [], "after the redrive every order ended as its amount says, each timeout acted on once");
    } finally {
      await network.stop();
    }
  });

  it("a network that replaces another (the dev loop loading the program again) takes over the commands for later, queued messages and dead letters it held in memory", async () => {
    const services = plan.services.filter((service) => service.serviceName !== "accounts");
    const dynamo = await DynamoDbLocal.start();
    const id = "order-reload";
    let after: LocalNetwork | undefined;
    try {
      const before = await LocalNetwork.start(services, { dynamo });
      await before.stage("orders").commands.execute(id, { type: "PlaceOrder", customerId: "c1", amount: 9_000 });
      await before.settle();
      assert.equal(before.stage("orders").scheduledCommands, 1, "the order's payment timeout is scheduled");
      const cancelUnpaid = before.stage("orders").reactors.find((local) => local.reaction.name === "cancel-unpaid")!;
      cancelUnpaid.deadLetterQueue.send(JSON.stringify({ reason: "held for the test", origin: "reactor:cancel-unpaid", input: {} }));
      await before.stop();

      after = await LocalNetwork.start(services, { dynamo });
      assert.deepEqual(after.takeOver(before), [], "every queue and reaction has its counterpart");
      assert.equal(after.stage("orders").scheduledCommands, 1, "the timeout survived the reload");
      assert.equal(after.deadLetters.length, 1, "and the dead letter");
      await after.advance(16 * 60_000);
      assert.equal(((await after.stage("orders").loader.load(id)).state as { status: string }).status, "cancelled");
    } finally {
      await after?.stop();
      await dynamo.stop();
    }
  });

  it("dead-letters an injected poison message with its reason, and the shop keeps every other promise", async () => {
    const network = await LocalNetwork.start(plan.services.filter((service) => service.serviceName !== "accounts"));
    try {
      const charge = network.stage("payments").reactors.find((local) => local.reaction.name === "charge-orders")!;
      charge.queue.send(
        JSON.stringify({
          detail: { contract: "orders", contractVersion: 1, type: "OrderPlaced", aggregateId: "o-x", version: 1, payload: {} },
        }),
      );
      const report = await runShop(network, { orders: 6, seed: 9, concurrency: 2 });
      assert.deepEqual(
        report.problems.map((problem) => problem.replace(/: .*/, "")),
        ["dead letter in payments charge-orders-dlq"],
      );
      assert.match(report.problems[0], /not a published event of orders\.v1: .*payload/);
    } finally {
      await network.stop();
    }
  });
});
