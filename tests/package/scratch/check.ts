/**
 * Run inside a scratch Pulumi program that installed the packed tarball: composes the inventory
 * service under mocks and checks what a user would rely on. Exits non-zero with the reason.
 */
import * as assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";
import { CommandHandler, AggregateLoader, InMemoryEventStore, deciderSpec } from "serverless-event-ledger/runtime";
import { bins } from "./inventory/domain";

async function main(): Promise<void> {
  // The runtime works without AWS: a decider spec and a command on the in-memory ledger.
  const spec = deciderSpec(bins);
  spec
    .given([
      { type: "BinCreated", payload: { sku: "bolt" } },
      { type: "Received", payload: { quantity: 3 } },
    ])
    .when({ kind: "Ship", quantity: 5, order: "o-1" })
    .thenRejects("short");
  const events = new InMemoryEventStore();
  const handler = new CommandHandler(new AggregateLoader(bins, events), events);
  await handler.execute("bin-1", { kind: "Create", sku: "bolt" });
  const received = await handler.execute("bin-1", { kind: "Receive", quantity: 4 });
  assert.equal(received.aggregate.state.onHand, 4);

  // The components compose under mocks and bundle the handlers from node_modules.
  const functions: { name: string; code: pulumi.asset.AssetArchive }[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        if (args.type === "aws:lambda/function:Function") functions.push({ name: args.name, code: args.inputs.code });
        const state: Record<string, unknown> = { ...args.inputs, arn: `arn:aws:mock:${args.name}`, name: args.inputs.name ?? args.name };
        if (args.type === "aws:dynamodb/table:Table" && args.inputs.streamEnabled) state.streamArn = `arn:aws:mock:${args.name}/stream`;
        if (args.type === "aws:sqs/queue:Queue") state.url = `https://sqs.local/${args.name}`;
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    "inventory",
    "test",
    false,
  );
  const { inventoryService } = await import("./index");
  const service = inventoryService("inventory");
  await new Promise((resolve) =>
    pulumi.all([service.dispatcher.function.urn, service.stock.function.urn, service.commands.function.urn]).apply(resolve),
  );
  assert.deepEqual(functions.map((fn) => fn.name).sort(), [
    "inventory-commands-function",
    "inventory-dispatcher-function",
    "inventory-stock-function",
  ]);
  for (const fn of functions) {
    const assets = (await fn.code.assets) as Record<string, pulumi.asset.StringAsset>;
    const code = await (assets["index.js"] as unknown as { text: Promise<string> }).text;
    const module = { exports: {} as { handler?: unknown } };
    new Function("module", "exports", "require", code)(module, module.exports, createRequire(__filename));
    assert.equal(typeof module.exports.handler, "function", `${fn.name} exports a handler`);
  }

  // A wrong export fails when the program runs, naming the module and export.
  assert.throws(
    () =>
      new (require("serverless-event-ledger").AggregateDispatcher)("broken", {
        ledger: service.ledger,
        bus: service.bus,
        domainModule: require.resolve("./inventory/domain"),
        domainExport: "nope",
      }),
    /domain\.ts export "nope" cannot be the dispatcher's: .*has no export "nope"/,
  );
  assert.throws(
    () =>
      new (require("serverless-event-ledger").AggregateDispatcher)("wrong-kind", {
        ledger: service.ledger,
        bus: service.bus,
        domainModule: require.resolve("./inventory/projections"),
        domainExport: "stock",
      }),
    /cannot be the dispatcher's: the domain has no initialState function/,
  );
  console.log(`scratch program OK: ${functions.length} bundles load and export handler`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
