import * as assert from "node:assert/strict";
import { AccountCommand, AccountState, accounts } from "../../../examples/accounts/domain";
import { AggregateLoader } from "../../../handlers/runtime/ledger/aggregateLoader";
import { CommandHandler, CommandHandlerOptions } from "../../../handlers/runtime/command/commandHandler";
import { Aggregate, defineDomain, reject } from "../../../handlers/runtime/domain/domain";
import { InvalidCommandError } from "../../../handlers/runtime/domain/errors";
import { InMemoryEventStore } from "../../../handlers/runtime/memory/eventStore";
import { InMemoryReadModel } from "../../../handlers/runtime/memory/readModel";
import { ReadModelSnapshotSource, aggregateProjection } from "../../../handlers/runtime/projection/readModelSnapshots";
import { EventStore, StoredEventItem } from "../../../handlers/runtime/ledger/stores";
import { CountingEventStore } from "../../support/countingEventStore";

/** A limit that can be set: setting the value it already has decides nothing. */
interface LimitState {
  limit: number;
}
type LimitCommand = { kind: "SetLimit"; limit: number };
const limits = defineDomain<LimitState, LimitCommand, { type: "LimitSet"; payload: { limit: number } }>({
  name: "Limit",
  schemaVersion: 1,
  initialState: () => ({ limit: 0 }),
  eventTypes: { LimitSet: (payload) => (typeof payload.limit === "number" ? undefined : "limit is a number") },
  reduce: (state, event) => (event.type === "LimitSet" ? { limit: event.payload.limit } : state),
  decide: (state, command) =>
    command.kind !== "SetLimit"
      ? reject("unknown", "unknown command")
      : state.limit === command.limit
        ? []
        : [{ type: "LimitSet", payload: { limit: command.limit } }],
});

/** The two ways a command starts without memory: from the ledger, or from a replica row (decided on at once). */
const STARTS = ["ledger", "replica"] as const;
type Start = (typeof STARTS)[number];

/** A command side over one in-memory ledger, starting as asked; a second handler on the same ledger is "another process". */
function commandSide<S, C>(domain: Parameters<typeof defineDomain<S, C>>[0], start: Start, options: CommandHandlerOptions = {}) {
  const events = new CountingEventStore(new InMemoryEventStore());
  const replica = new InMemoryReadModel();
  const projection = aggregateProjection("replica", domain);
  const handler = (more: CommandHandlerOptions = {}) =>
    start === "ledger"
      ? new CommandHandler<S, C>(new AggregateLoader(domain, events), events, { rememberedAggregates: 0, ...options, ...more })
      : new CommandHandler<S, C>(new AggregateLoader(domain, events, new ReadModelSnapshotSource(replica)), events, {
          rememberedAggregates: 0,
          start: "decide-first",
          ...options,
          ...more,
        });
  /** The replica's row as the projector would write it for this aggregate. */
  const project = async (aggregate: Aggregate<S>) =>
    replica.putIfNewer(
      aggregate.aggregateId,
      aggregate.version,
      projection.project(aggregate, undefined as never) as Record<string, unknown>,
    );
  return { events, replica, handler, project };
}

const versions = async (store: EventStore, id: string) =>
  (await store.read(id, 0)).map((item) => `${item.version}:${JSON.stringify(item.payload)}`);

describe("command handler: the idempotency key of a decision to do nothing", () => {
  for (const start of STARTS) {
    it(`answers a repeat of a command that committed with its first result, not a new no-op decision (${start} start)`, async () => {
      const side = commandSide(limits, start);
      const first = await side.handler().execute("l", { kind: "SetLimit", limit: 5 }, { idempotencyKey: "L1" });
      assert.equal(first.events.length, 1);
      const repeat = await side.handler().execute("l", { kind: "SetLimit", limit: 5 }, { idempotencyKey: "L1" });
      assert.equal(repeat.repeated, true);
      assert.equal(repeat.commitId, first.commitId);
      assert.deepEqual(
        repeat.events.map((event) => event.version),
        [1],
      );
      assert.deepEqual(await versions(side.events, "l"), ['1:{"limit":5}']);
    });

    it(`remembers a decision to do nothing under its key: a repeat after another caller's change appends nothing (${start} start)`, async () => {
      const side = commandSide(limits, start);
      const first = await side.handler().execute("l", { kind: "SetLimit", limit: 0 }, { idempotencyKey: "L2" });
      assert.deepEqual(first.events, []);
      await side.handler().execute("l", { kind: "SetLimit", limit: 7 });
      const repeat = await side.handler().execute("l", { kind: "SetLimit", limit: 0 }, { idempotencyKey: "L2" });
      assert.equal(repeat.repeated, true);
      assert.equal(repeat.commitId, first.commitId);
      assert.deepEqual(repeat.events, []);
      assert.equal(repeat.aggregate.version, 0, "the repeat answers with the state the first decision stood on");
      assert.deepEqual(await versions(side.events, "l"), ['1:{"limit":7}'], "the other caller's change stands");
    });
  }

  it("answers a repeat of a no-op across aggregates (executeMany) with the first result", async () => {
    const side = commandSide(accounts, "ledger");
    const handler = side.handler() as CommandHandler<AccountState, AccountCommand>;
    await handler.execute("a", { kind: "Open", owner: "a" });
    await handler.execute("b", { kind: "Open", owner: "b" });
    const noop = defineDomain({ ...accounts, decideMany: () => ({}) });
    const sideEffectFree = new CommandHandler(new AggregateLoader(noop, side.events), side.events, { rememberedAggregates: 0 });
    const first = await sideEffectFree.executeMany(
      ["a", "b"],
      { kind: "Transfer", from: "a", to: "b", amount: 1 },
      { idempotencyKey: "T1" },
    );
    const repeat = await sideEffectFree.executeMany(
      ["a", "b"],
      { kind: "Transfer", from: "a", to: "b", amount: 1 },
      { idempotencyKey: "T1" },
    );
    assert.equal(repeat.repeated, true);
    assert.equal(repeat.commitId, first.commitId);
    assert.deepEqual(
      [...repeat.aggregates.values()].map((aggregate) => aggregate.version),
      [1, 1],
    );
  });
});

describe("command handler: every refusal stands on the ledger's latest state", () => {
  const NINE = 9e15;

  it("credits an account another process emptied, though this handler remembers it near the limit (decide on memory)", async () => {
    const side = commandSide(accounts, "ledger");
    const remembering = side.handler({ rememberedAggregates: 100, start: "decide-first" }) as CommandHandler<AccountState, AccountCommand>;
    await remembering.execute("acc", { kind: "Open", owner: "ada" });
    await remembering.execute("acc", { kind: "Credit", amount: NINE });
    await (side.handler() as CommandHandler<AccountState, AccountCommand>).execute("acc", { kind: "Debit", amount: NINE });
    const credited = await remembering.execute("acc", { kind: "Credit", amount: 1e15 });
    assert.equal(credited.aggregate.version, 4);
    assert.equal(credited.aggregate.state.balance, 1e15);
  });

  it("credits an account whose replica row still shows it near the limit (decide on the replica)", async () => {
    const side = commandSide(accounts, "replica");
    const handler = side.handler() as CommandHandler<AccountState, AccountCommand>;
    await handler.execute("acc", { kind: "Open", owner: "ada" });
    const nearLimit = await handler.execute("acc", { kind: "Credit", amount: NINE });
    await side.project(nearLimit.aggregate);
    await handler.execute("acc", { kind: "Debit", amount: NINE });
    const credited = await handler.execute("acc", { kind: "Credit", amount: 1e15 });
    assert.equal(credited.aggregate.version, 4);
    assert.equal(credited.aggregate.state.balance, 1e15);
  });

  it("runs a command whose decide throws on a stale state once the ledger's state allows it (decide on memory)", async () => {
    const fussy = defineDomain({
      ...accounts,
      decide: (state: AccountState, command: AccountCommand, aggregate: Aggregate<AccountState>) => {
        if (command.kind === "Credit" && state.balance > 100) throw new Error("balances above 100 take no credit");
        return accounts.decide(state, command, aggregate);
      },
    });
    const side = commandSide(fussy, "ledger");
    const remembering = side.handler({ rememberedAggregates: 100, start: "decide-first" }) as CommandHandler<AccountState, AccountCommand>;
    await remembering.execute("acc", { kind: "Open", owner: "ada" });
    await remembering.execute("acc", { kind: "Credit", amount: 500 });
    await (side.handler() as CommandHandler<AccountState, AccountCommand>).execute("acc", { kind: "Debit", amount: 500 });
    const credited = await remembering.execute("acc", { kind: "Credit", amount: 1 });
    assert.equal(credited.aggregate.state.balance, 1);
  });

  it("still refuses what the ledger's state refuses, after reading it", async () => {
    const side = commandSide(accounts, "ledger");
    const remembering = side.handler({ rememberedAggregates: 100, start: "decide-first" }) as CommandHandler<AccountState, AccountCommand>;
    await remembering.execute("acc", { kind: "Open", owner: "ada" });
    await remembering.execute("acc", { kind: "Credit", amount: NINE });
    const before = side.events.requests;
    await assert.rejects(remembering.execute("acc", { kind: "Credit", amount: 1e15 }), /would be unsound/);
    assert.ok(side.events.requests > before, "the refusal read the ledger first");
  });
});

describe("command handler: a commit too large for one transaction", () => {
  type Bulk = { n: number };
  const bulk = defineDomain<Bulk, { count: number }>({
    name: "Bulk",
    schemaVersion: 1,
    initialState: () => ({ n: 0 }),
    eventTypes: { Added: () => undefined },
    reduce: (state) => ({ n: state.n + 1 }),
    decide: (_state, command) => Array.from({ length: command.count }, () => ({ type: "Added", payload: {} })),
  });

  it("is CommitTooLargeError, not contention, when the state it was decided on is a memory and one attempt is allowed", async () => {
    const events = new InMemoryEventStore();
    const handler = new CommandHandler<Bulk, { count: number }>(new AggregateLoader(bulk, events), events, { maxAttempts: 1 });
    await handler.execute("bulk", { count: 1 }); // remembered, proven just now: the next command decides unread
    await assert.rejects(handler.execute("bulk", { count: 150 }), (error: Error) => {
      assert.equal(error.name, "CommitTooLargeError", `${error.name}: ${error.message}`);
      return true;
    });
    assert.equal((await handler.query("bulk")).version, 1, "nothing written");
  });
});

describe("command handler: aggregate ids are checked before any request", () => {
  for (const start of STARTS) {
    for (const bytes of [1025, 2049]) {
      it(`refuses an id of ${bytes} bytes with InvalidCommandError naming the 1,024-byte limit, before any read (${start} start)`, async () => {
        const side = commandSide(accounts, start);
        const handler = side.handler() as CommandHandler<AccountState, AccountCommand>;
        const id = "x".repeat(bytes);
        for (const call of [
          () => handler.execute(id, { kind: "Open", owner: "o" }),
          () => handler.executeMany([id, "b"], { kind: "Transfer", from: id, to: "b", amount: 1 }),
          () => handler.query(id),
        ]) {
          await assert.rejects(
            call(),
            (error: unknown) => error instanceof InvalidCommandError && /at most 1024 are allowed/.test(error.message),
          );
        }
        assert.equal(side.events.requests, 0);
      });
    }
  }

  it("refuses a command over more aggregates than one transaction holds (101) with InvalidCommandError, before any read", async () => {
    const side = commandSide(accounts, "ledger");
    const handler = side.handler() as CommandHandler<AccountState, AccountCommand>;
    const ids = Array.from({ length: 101 }, (_, i) => `acc-${i}`);
    await assert.rejects(
      handler.executeMany(ids, { kind: "Transfer", from: ids[0], to: ids[1], amount: 1 }),
      (error: unknown) => error instanceof InvalidCommandError && /at most 100 aggregates/.test(error.message),
    );
    assert.equal(side.events.requests, 0);
  });
});

describe("command handler: a ledger restored from a backup to an earlier version", () => {
  /** A handler that remembered versions 1..5, and the ledger restored to versions 1..3 under the same table. */
  const restoredUnderIt = async (start: CommandHandlerOptions["start"]) => {
    const original = new InMemoryEventStore();
    const events = new CountingEventStore(original);
    const clock = { now: Date.UTC(2026, 11, 1) };
    const remembering = new CommandHandler<AccountState, AccountCommand>(new AggregateLoader(accounts, events), events, {
      start,
      now: () => new Date(clock.now),
    });
    await remembering.execute("acc", { kind: "Open", owner: "ada" });
    for (const amount of [1, 2, 3, 4]) await remembering.execute("acc", { kind: "Credit", amount });
    const restored = new InMemoryEventStore();
    await restored.append((await original.read("acc", 0, 3)) as unknown as StoredEventItem[]);
    return { events, restored, remembering, clock };
  };
  const versionsIn = async (store: EventStore) => (await store.read("acc", 0)).map((item) => item.version);

  for (const start of ["memory-first", "read-first", "decide-first"] as const) {
    it(`never writes after a gap when deciding on a remembered state the restore took back (${start})`, async () => {
      const { events, restored, remembering, clock } = await restoredUnderIt(start);
      // Deleting the table and restoring a backup under its name takes minutes.
      clock.now += 5 * 60_000;
      events.target = restored;

      const after = await remembering.execute("acc", { kind: "Credit", amount: 10 });
      assert.equal(after.aggregate.version, 4);
      assert.deepEqual(await versionsIn(restored), [1, 2, 3, 4]);
      assert.equal(after.aggregate.state.balance, 1 + 2 + 10);
    });
  }

  it("forgets every remembered aggregate when the ledger's table is gone, so none is decided on unread afterwards", async () => {
    const { events, restored, remembering } = await restoredUnderIt("memory-first");
    const gone = Object.assign(new Error("Requested resource not found"), { name: "ResourceNotFoundException" });
    events.target = { append: () => Promise.reject(gone), read: () => Promise.reject(gone), readLatest: () => Promise.reject(gone) };
    // A command on another aggregate meets the missing table.
    await assert.rejects(remembering.execute("other", { kind: "Open", owner: "bob" }), /Requested resource not found/);
    // Restored at once (no time passes on the handler's clock): it still reads before it decides.
    events.target = restored;

    const after = await remembering.execute("acc", { kind: "Credit", amount: 10 });
    assert.equal(after.aggregate.version, 4);
    assert.deepEqual(await versionsIn(restored), [1, 2, 3, 4]);
  });
});
