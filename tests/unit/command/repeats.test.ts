import * as assert from "node:assert/strict";
import { AccountCommand, AccountState, accounts } from "../../../examples/accounts/domain";
import { AggregateLoader } from "../../../handlers/runtime/ledger/aggregateLoader";
import { CommandHandler, CommandHandlerOptions } from "../../../handlers/runtime/command/commandHandler";
import { CommandRejectedError, IdempotencyKeyReusedError } from "../../../handlers/runtime/command/errors";
import { CountingEventStore } from "../../support/countingEventStore";
import { InMemorySnapshotStore } from "../../../handlers/runtime/memory/snapshotStore";
import { seedAccount, accountEvents } from "../../../examples/accounts/history";
import { defineDomain } from "../../../handlers/runtime/domain/domain";

describe("command handler: a repeated idempotency key is answered from what the command read", () => {
  const side = () => {
    const events = new CountingEventStore();
    const snapshots = new InMemorySnapshotStore();
    const handler = (options: CommandHandlerOptions = {}) =>
      new CommandHandler<AccountState, AccountCommand>(new AggregateLoader(accounts, events, snapshots), events, options);
    return { events, snapshots, handler };
  };

  for (const [label, options] of [
    ["from another process (nothing remembered)", { rememberedAggregates: 0 }],
    ["from the process that ran it (its memory)", {}],
  ] as const) {
    it(`answers a resend ${label} in 2 requests, the read and the refused write, with the first result`, async () => {
      const { events, handler } = side();
      const first = handler();
      await first.execute("acc", { kind: "Open", owner: "ada" });
      const committed = await first.execute("acc", { kind: "Credit", amount: 5 }, { idempotencyKey: "k1" });
      const again = label.includes("another") ? handler(options) : first;
      events.reset();

      const repeat = await again.execute("acc", { kind: "Credit", amount: 5 }, { idempotencyKey: "k1" });

      assert.equal(events.requests, 2);
      assert.equal(repeat.repeated, true);
      assert.deepEqual([repeat.commitId, repeat.aggregate, repeat.events], [committed.commitId, committed.aggregate, committed.events]);
    });
  }

  it("answers a resend after other commands with the first result, reading what the command did not", async () => {
    const { events, handler } = side();
    const first = handler({ rememberedAggregates: 0 });
    await first.execute("acc", { kind: "Open", owner: "ada" });
    const committed = await first.execute("acc", { kind: "Credit", amount: 5 }, { idempotencyKey: "k2" });
    await first.execute("acc", { kind: "Credit", amount: 9 });
    events.reset();

    const repeat = await handler({ rememberedAggregates: 0 }).execute("acc", { kind: "Credit", amount: 5 }, { idempotencyKey: "k2" });

    assert.deepEqual([repeat.aggregate, repeat.events, repeat.repeated], [committed.aggregate, committed.events, true]);
    assert.equal(events.requests, 3, "the read, the refused write, the aggregate at the first commit's version");
  });

  it("answers a resend on an aggregate started from its snapshot, whose events the start did not read", async () => {
    const { events, snapshots, handler } = side();
    await seedAccount(events.target, snapshots, accountEvents("old", 1, 250), 100);
    const first = handler({ rememberedAggregates: 0 });
    const committed = await first.execute("old", { kind: "Credit", amount: 5 }, { idempotencyKey: "k3" });
    const repeat = await handler({ rememberedAggregates: 0 }).execute("old", { kind: "Credit", amount: 5 }, { idempotencyKey: "k3" });
    assert.deepEqual([repeat.aggregate, repeat.events, repeat.repeated], [committed.aggregate, committed.events, true]);
  });

  it("answers a resend of a rejected command with the first rejection in 2 requests", async () => {
    const { events, handler } = side();
    await handler().execute("acc", { kind: "Open", owner: "ada" });
    await assert.rejects(handler().execute("acc", { kind: "Debit", amount: 50 }, { idempotencyKey: "k4" }), CommandRejectedError);
    events.reset();
    await assert.rejects(
      handler({ rememberedAggregates: 0 }).execute("acc", { kind: "Debit", amount: 50 }, { idempotencyKey: "k4" }),
      CommandRejectedError,
    );
    assert.equal(events.requests, 2);
  });

  it("answers a repeat with the first result though deciding it again would now be refused (the state moved on)", async () => {
    const { handler } = side();
    const first = handler({ rememberedAggregates: 0 });
    await first.execute("acc", { kind: "Open", owner: "ada" });
    const committed = await first.execute("acc", { kind: "Credit", amount: 5e15 }, { idempotencyKey: "k7" });
    await first.execute("acc", { kind: "Credit", amount: 4e15 }); // another credit of 5e15 would pass the largest safe balance
    const repeat = await handler({ rememberedAggregates: 0 }).execute("acc", { kind: "Credit", amount: 5e15 }, { idempotencyKey: "k7" });
    assert.deepEqual([repeat.repeated, repeat.commitId, repeat.aggregate.version], [true, committed.commitId, 2]);
  });

  it("answers a repeat of a rejected command with the first rejection though deciding it again would now be refused", async () => {
    const { handler } = side();
    await assert.rejects(handler().execute("acc", { kind: "Credit", amount: 5e15 }, { idempotencyKey: "k8" }), CommandRejectedError);
    await handler().execute("acc", { kind: "Open", owner: "bo" });
    await handler().execute("acc", { kind: "Credit", amount: 9e15 });
    await assert.rejects(handler().execute("acc", { kind: "Credit", amount: 5e15 }, { idempotencyKey: "k8" }), (error: Error) => {
      assert.ok(error instanceof CommandRejectedError, `${error.name}: ${error.message}`);
      assert.equal(error.version, 0, "the first rejection, on the account not yet opened");
      return true;
    });
  });

  it("still refuses a first execution whose decision is refused, with the refusal", async () => {
    const { handler } = side();
    await handler().execute("acc", { kind: "Open", owner: "ada" });
    await handler().execute("acc", { kind: "Credit", amount: 9e15 });
    await assert.rejects(handler().execute("acc", { kind: "Credit", amount: 5e15 }, { idempotencyKey: "k9" }), /would be unsound/);
  });

  it("answers a repeat of a command over several aggregates with every one of them, those its commit did not write included", async () => {
    const counters = defineDomain<{ n: number }, { target: string }>({
      name: "Counter",
      schemaVersion: 1,
      initialState: () => ({ n: 0 }),
      eventTypes: { Counted: () => undefined },
      reduce: (state) => ({ n: state.n + 1 }),
      decide: () => [{ type: "Counted", payload: {} }],
      // Reads every aggregate, writes only the target.
      decideMany: (_aggregates, command) => ({ [command.target]: [{ type: "Counted", payload: {} }] }),
    });
    const events = new CountingEventStore();
    const handler = () => new CommandHandler(new AggregateLoader(counters, events), events, { rememberedAggregates: 0 });
    await handler().execute("b", { target: "b" });
    const first = await handler().executeMany(["a", "b"], { target: "a" }, { idempotencyKey: "k10" });
    await handler().execute("b", { target: "b" });
    const repeat = await handler().executeMany(["a", "b"], { target: "a" }, { idempotencyKey: "k10" });
    assert.equal(repeat.repeated, true);
    assert.deepEqual(
      [...repeat.aggregates].map(([id, aggregate]) => [id, aggregate.version]).sort(),
      [...first.aggregates].map(([id, aggregate]) => [id, aggregate.version]).sort(),
      "b as the first result had it (version 1), though it moved on since",
    );
  });

  it("refuses a key sent with one operation and reused with another (execute, executeMany, replay), never answering it with the other's outcome", async () => {
    const { handler } = side();
    await handler().execute("acc", { kind: "Open", owner: "ada" });
    // executeMany refuses a single-account command; the same key and command sent to execute is another request.
    await assert.rejects(
      handler().executeMany(["acc"], { kind: "Credit", amount: 5 }, { idempotencyKey: "k5" }),
      (error: Error) => error instanceof CommandRejectedError,
    );
    await assert.rejects(handler().execute("acc", { kind: "Credit", amount: 5 }, { idempotencyKey: "k5" }), IdempotencyKeyReusedError);
    const replayed = await handler().replay("acc", undefined, { idempotencyKey: "k6" });
    await assert.rejects(handler().executeMany(["acc"], { replay: null } as never, { idempotencyKey: "k6" }), IdempotencyKeyReusedError);
    assert.equal(
      (await handler().replay("acc", undefined, { idempotencyKey: "k6" })).commitId,
      replayed.commitId,
      "a repeat of the replay itself",
    );
  });
});
