import * as assert from "node:assert/strict";
import { AccountCommand, AccountState, accounts } from "../../../examples/accounts/domain";
import { AggregateLoader } from "../../../handlers/runtime/ledger/aggregateLoader";
import { CommandHandler, CommandHandlerOptions } from "../../../handlers/runtime/command/commandHandler";
import { CommandRejectedError } from "../../../handlers/runtime/command/errors";
import { CountingEventStore } from "../../support/countingEventStore";
import { InMemorySnapshotStore } from "../../../handlers/runtime/memory/snapshotStore";
import { seedAccount, accountEvents } from "../../../examples/accounts/history";

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
});
