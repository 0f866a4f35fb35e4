import * as assert from "node:assert/strict";
import { AccountCommand, AccountState, accounts } from "../../../examples/accounts/domain";
import { balances } from "../../../examples/accounts/projections";
import { AggregateLoader } from "../../../handlers/runtime/ledger/aggregateLoader";
import { CommandHandler, CommandHandlerOptions } from "../../../handlers/runtime/command/commandHandler";
import { Domain, LedgerEvent, reject } from "../../../handlers/runtime/domain/domain";
import { toSnapshot } from "../../../handlers/runtime/ledger/snapshots";
import { SnapshotSource } from "../../../handlers/runtime/ledger/stores";
import { CommandRejectedError } from "../../../handlers/runtime/command/errors";
import { emptyAggregate, fold } from "../../../handlers/runtime/domain/fold";
import { StateCarriedMessage } from "../../../handlers/runtime/messages/stateCarried";
import { InMemoryDeadLetters } from "../../../handlers/runtime/memory/deadLetters";
import { Projector } from "../../../handlers/runtime/projection/projector";
import { Random } from "../../../local/random";
import { BankLedger, accountEvents, bankLedger, seed } from "../../support/ledgerFixture";
import { RecordingBus, bankDispatcher, projectorFor, queueMessages, recordsOf } from "../../support/pipelineFixture";

/**
 * What the handlers remember between invocations of a warm Lambda: each memory saves
 * requests, and none may change what is written.
 */
describe("what a warm handler remembers (DynamoDB Local)", () => {
  let ledger: BankLedger;
  beforeEach(async () => {
    ledger = await bankLedger();
  });

  /** An account's first `versions` events written to the ledger, and the messages the dispatcher publishes for them. */
  const publishedHistory = async (id: string, versions: number): Promise<StateCarriedMessage[]> => {
    const events = accountEvents(id, 1, versions);
    await seed(ledger, events);
    const bus = new RecordingBus();
    await bankDispatcher(ledger, bus).dispatcher.dispatch(recordsOf(events));
    return bus.messages;
  };

  describe("projector: row versions", () => {
    it("answers duplicates and older messages of rows it wrote without a request, and writes only the newest message of an aggregate in a batch", async () => {
      const messages = await publishedHistory("p-1", 6);
      const { projector, readModel } = await projectorFor(ledger, balances);
      ledger.requests.reset();

      const first = await projector.project(queueMessages(messages.slice(0, 3)));
      assert.deepEqual([first.written, first.stale], [1, 2], "versions 1..3 in one batch: only v3 is written");
      assert.equal(ledger.requests.byOperation.get("PutItem"), 1);

      const again = await projector.project(
        queueMessages(new Random(3).shuffle([...messages.slice(0, 3), messages[1], messages[5], messages[4]])),
      );
      assert.deepEqual([again.written, again.stale], [1, 5], "duplicates and v5 absorbed; v6 written");
      assert.equal(ledger.requests.byOperation.get("PutItem"), 2, "one more request, for v6 alone");
      assert.equal((await readModel.get("p-1"))?.version, 6);
    });

    it("still absorbs what another projector instance wrote, with the conditional write, and remembers the version it found", async () => {
      const messages = await publishedHistory("p-2", 4);
      const { projector, readModel } = await projectorFor(ledger, balances);
      const other = new Projector({ projection: balances, readModel, deadLetters: new InMemoryDeadLetters() });
      await other.project(queueMessages([messages[3]]));
      ledger.requests.reset();

      const late = await projector.project(queueMessages([messages[2]]));
      const later = await projector.project(queueMessages([messages[1]]));

      assert.deepEqual([late.stale, later.stale], [1, 1]);
      assert.equal(
        ledger.requests.byOperation.get("PutItem"),
        1,
        "the first stale message learns v4 from the refused write; the second costs nothing",
      );
      assert.equal((await readModel.get("p-2"))?.version, 4);
    });

    it("writes every message with rememberedVersions 0 (the earlier behaviour)", async () => {
      const messages = await publishedHistory("p-3", 3);
      const { readModel } = await projectorFor(ledger, balances);
      const projector = new Projector({ projection: balances, readModel, deadLetters: new InMemoryDeadLetters(), rememberedVersions: 0 });
      ledger.requests.reset();

      const report = await projector.project(queueMessages([...messages, ...messages]));

      assert.deepEqual([report.written, report.stale], [1, 5]);
      assert.equal(ledger.requests.byOperation.get("PutItem"), 6);
    });
  });

  describe("dispatcher: the aggregate it folded last", () => {
    it("folds a batch that continues a remembered aggregate from its records: no snapshot lookup, no ledger query, the same messages", async () => {
      const events = ["d-1", "d-2"].flatMap((id) => accountEvents(id, 1, 250));
      for (const id of ["d-1", "d-2"])
        await seed(
          ledger,
          events.filter((event) => event.aggregateId === id),
          100,
        );
      const bus = new RecordingBus();
      const { dispatcher } = bankDispatcher(ledger, bus, { snapshotEvery: 100 });
      await dispatcher.dispatch(recordsOf(events.filter((event) => event.version <= 180)));
      // The records as the stream carries them: the ledger's items themselves.
      const next = [...(await ledger.events.read("d-1", 180)), ...(await ledger.events.read("d-2", 180))] as unknown as LedgerEvent[];
      ledger.requests.reset();
      const report = await dispatcher.dispatch(new Random(5).shuffle(recordsOf(next)));

      assert.deepEqual(report.batchItemFailures, []);
      assert.deepEqual([...ledger.requests.byOperation.keys()], ["PutItem"], "only the snapshots due at v200 are written: nothing read");
      const fresh = new RecordingBus();
      await bankDispatcher(ledger, fresh, { snapshotEvery: 100 }).dispatcher.dispatch(recordsOf(next));
      const key = (message: StateCarriedMessage) => `${message.event.aggregateId}@${message.event.version}`;
      const sorted = (messages: StateCarriedMessage[]) => [...messages].sort((a, b) => key(a).localeCompare(key(b)));
      assert.deepEqual(sorted(bus.messages.slice(-next.length)), sorted(fresh.messages), "what a dispatcher without memory publishes");
    });

    it("reads the ledger when a batch does not continue what it remembers: a version missing from the batch, or a batch retried", async () => {
      const events = accountEvents("d-3", 1, 30);
      await seed(ledger, events);
      const bus = new RecordingBus();
      const { dispatcher } = bankDispatcher(ledger, bus);
      await dispatcher.dispatch(recordsOf(events.slice(0, 10)));
      ledger.requests.reset();

      await dispatcher.dispatch(recordsOf([...events.slice(10, 12), ...events.slice(13, 20)])); // v13..v20 without v12
      await dispatcher.dispatch(recordsOf(events.slice(15, 20))); // a retry of v16..v20
      await dispatcher.dispatch(recordsOf(events.slice(20, 30))); // continues v20

      assert.equal(ledger.requests.byOperation.get("Query"), 2, "one query for the gap, one for the retry, none for the continuation");
      const expected = fold(accounts, emptyAggregate(accounts, "d-3"), events);
      assert.deepEqual(bus.messages.at(-1)!.aggregate, { version: 30, state: expected.state });
    });
  });

  describe("command handler: the aggregate its commands left", () => {
    const handler = (options: CommandHandlerOptions = {}) =>
      new CommandHandler<AccountState, AccountCommand>(
        new AggregateLoader(accounts, ledger.events, ledger.snapshots),
        ledger.events,
        options,
      );
    /** What one call costs: its requests by operation and the ledger items its queries returned. */
    const cost = async <T>(call: () => Promise<T>) => {
      ledger.requests.reset();
      const before = ledger.requests.itemsRead(ledger.events.tableName);
      const result = await call();
      return {
        result,
        requests: Object.fromEntries(ledger.requests.byOperation),
        items: ledger.requests.itemsRead(ledger.events.tableName) - before,
      };
    };

    it('"memory-first" (default): one plain write per command while it is the only writer; after another process wrote, the refusal carries its event and the retry needs no read', async () => {
      const commands = handler();
      await commands.execute("c-0", { kind: "Open", owner: "c" });
      ledger.requests.reset();
      for (let i = 0; i < 5; i += 1) await commands.execute("c-0", { kind: "Credit", amount: 10 });
      assert.deepEqual(
        Object.fromEntries(ledger.requests.byOperation),
        { PutItem: 5 },
        "its own commit proved each version a moment before",
      );

      await handler().execute("c-0", { kind: "Credit", amount: 7 }); // another process
      const { result, requests, items } = await cost(() => commands.execute("c-0", { kind: "Debit", amount: 20 }));

      assert.deepEqual(requests, { PutItem: 2 }, "the refused write, answered with the other process's event, and the write after it");
      assert.equal(items, 0);
      assert.deepEqual([result.aggregate.version, result.aggregate.state.balance, result.attempts], [8, 37, 2]);
      assert.deepEqual(
        (await ledger.events.read("c-0", 0)).map((item) => item.version),
        [1, 2, 3, 4, 5, 6, 7, 8],
        "gap-free, each version once",
      );
    });

    it('"memory-first" reads first from a memory the ledger proved more than a second ago, and "read-first" always: only the events after it, one query, one write', async () => {
      let now = Date.UTC(2026, 11, 1);
      const clock = () => new Date(now);
      for (const [id, commands] of [
        ["c-1a", handler({ now: clock })],
        ["c-1b", handler({ start: "read-first" })],
      ] as const) {
        await commands.execute(id, { kind: "Open", owner: "c" });
        for (let i = 0; i < 30; i += 1) await commands.execute(id, { kind: "Credit", amount: 1 });
        await handler().execute(id, { kind: "Credit", amount: 30 }); // another process
        now += 1_000;

        const { result, requests, items } = await cost(() => commands.execute(id, { kind: "Credit", amount: 5 }));

        assert.deepEqual(requests, { Query: 1, PutItem: 1 }, id);
        assert.equal(items, 2, "v31 (the proof) and the other process's v32, not the 32 events");
        assert.deepEqual([result.aggregate.version, result.aggregate.state.balance, result.attempts], [33, 65, 1], id);
      }
    });

    it('"memory-first": a rejection on the remembered state stands only on the ledger: a debit the other process funded goes through after one query', async () => {
      const commands = handler();
      await commands.execute("c-1", { kind: "Open", owner: "c" });
      for (let i = 0; i < 30; i += 1) await commands.execute("c-1", { kind: "Credit", amount: 1 });
      await handler().execute("c-1", { kind: "Credit", amount: 30 }); // another process

      const { result, requests, items } = await cost(() => commands.execute("c-1", { kind: "Debit", amount: 50 }));

      assert.deepEqual(requests, { Query: 1, PutItem: 1 });
      assert.equal(items, 2, "v31 (the proof) and the other process's v32, not the 32 events");
      assert.deepEqual(
        [result.aggregate.version, result.aggregate.state.balance, result.attempts],
        [33, 10, 1],
        "decided on the other process's credit",
      );
    });

    it('"decide": one request per command while it is the only writer; after another process wrote, the append is refused and only the missed events are read', async () => {
      let now = Date.UTC(2026, 11, 1);
      const commands = handler({ start: "decide-first", now: () => new Date(now) });
      await commands.execute("c-2", { kind: "Open", owner: "c" });
      ledger.requests.reset();
      for (let i = 0; i < 5; i += 1) await commands.execute("c-2", { kind: "Credit", amount: 10 });
      // One plain write each and no read: its own commit proved each version a moment before.
      assert.deepEqual(Object.fromEntries(ledger.requests.byOperation), { PutItem: 5 }, "no read at all");

      // A memory older than a second is written in a transaction with a check that its version is
      // still in the ledger (a ledger restored to an earlier version refuses it).
      now += 1_000;
      await handler().execute("c-2", { kind: "Credit", amount: 7 });
      await handler().execute("c-2", { kind: "Credit", amount: 7 });
      const { result, requests, items } = await cost(() => commands.execute("c-2", { kind: "Debit", amount: 20 }));

      assert.deepEqual(
        requests,
        { TransactWriteItems: 1, Query: 1, PutItem: 1 },
        "the refused write, the missed events, the write on what was read",
      );
      assert.equal(items, 3, "v6 (the proof) and the two missed events");
      assert.deepEqual(
        [result.aggregate.version, result.aggregate.state.balance, result.attempts],
        [9, 44, 2],
        "decided again on the missed credits",
      );
      assert.deepEqual(
        (await ledger.events.read("c-2", 0)).map((item) => item.version),
        [1, 2, 3, 4, 5, 6, 7, 8, 9],
        "gap-free, each version once",
      );
    });

    it('"decide": a rejection on a remembered state stands only after reading the ledger: a debit the other process funded goes through', async () => {
      const commands = handler({ start: "decide-first" });
      await commands.execute("c-3", { kind: "Open", owner: "c" });
      await handler().execute("c-3", { kind: "Credit", amount: 100 });

      const result = await commands.execute("c-3", { kind: "Debit", amount: 80 });
      assert.deepEqual([result.aggregate.version, result.aggregate.state.balance], [3, 20]);
      await assert.rejects(
        commands.execute("c-3", { kind: "Debit", amount: 80 }),
        (error: unknown) => error instanceof CommandRejectedError && error.version === 3,
      );
    });

    it('"decide": 8 processes writing one aggregate finish every command, gap-free, the balance equal to the fold', async function () {
      this.timeout(120_000);
      await handler().execute("hot", { kind: "Open", owner: "hot" });
      const processes = Array.from({ length: 8 }, () => handler({ start: "decide-first", retryBudgetMs: 120_000 }));
      let applied = 0;
      let rejected = 0;
      await Promise.all(
        processes.map(async (commands, writer) => {
          for (let i = 0; i < 10; i += 1) {
            try {
              await commands.execute("hot", (writer + i) % 3 === 0 ? { kind: "Debit", amount: 7 } : { kind: "Credit", amount: 3 });
              applied += 1;
            } catch (error) {
              if (!(error instanceof CommandRejectedError)) throw error;
              rejected += 1;
            }
          }
        }),
      );
      const events = (await ledger.events.read("hot", 0)) as unknown as LedgerEvent[];
      assert.equal(applied + rejected, 80);
      assert.deepEqual(
        events.map((event) => event.version),
        events.map((_, index) => index + 1),
      );
      assert.equal(events.length, 1 + applied);
      assert.deepEqual(await processes[0].query("hot"), fold(accounts, emptyAggregate(accounts, "hot"), events));
    });

    /** The bank with a command over two accounts that reads one and writes the other: B is credited A's balance. */
    const matching: Domain<AccountState, AccountCommand | { kind: "Match"; from: string; to: string }> = {
      ...(accounts as Domain<AccountState, never>),
      decide: (state, command, aggregate) => accounts.decide(state, command as AccountCommand, aggregate),
      decideMany: (aggregates, command) => {
        if (command.kind !== "Match") return reject("single-account", "use execute");
        const balance = aggregates.get(command.from)!.state.balance;
        return balance === 0
          ? reject("nothing-to-match", `${command.from} holds nothing`)
          : { [command.to]: [{ type: "Credited", payload: { amount: balance } }] };
      },
    };
    const matchingHandler = (options: CommandHandlerOptions, snapshots?: SnapshotSource) =>
      new CommandHandler(new AggregateLoader(matching, ledger.events, snapshots ?? ledger.snapshots), ledger.events, options);

    it('"decide": an aggregate a multi-aggregate command only reads is read from the ledger first: no decision on a stale memory that no condition guards', async () => {
      const commands = matchingHandler({ start: "decide-first" });
      for (const id of ["m-a", "m-b"]) await commands.execute(id, { kind: "Open", owner: id });
      await commands.execute("m-a", { kind: "Credit", amount: 10 });
      await handler().execute("m-a", { kind: "Debit", amount: 10 }); // another process empties m-a

      await assert.rejects(
        commands.executeMany(["m-a", "m-b"], { kind: "Match", from: "m-a", to: "m-b" }),
        (error: unknown) => error instanceof CommandRejectedError && error.reason === "nothing-to-match",
      );
      assert.equal((await handler().query("m-b")).state.balance, 0, "m-b was not credited the 10 m-a does not hold any more");
    });

    it('"decide" after a decide-first start on the replica: a replica row ahead of the ledger is never remembered, so no later command opens a gap', async () => {
      await ledger.handler().execute("m-c", { kind: "Open", owner: "m-c" });
      await ledger.handler().execute("m-c", { kind: "Credit", amount: 5 });
      await ledger.handler().execute("m-d", { kind: "Open", owner: "m-d" });
      // The replica claims m-c at version 7 (a restored ledger, a row that lies); the ledger is at 2.
      const lying = toSnapshot(accounts, {
        aggregateId: "m-c",
        version: 7,
        state: { ...(await handler().query("m-c")).state, balance: 5 },
      });
      const replica: SnapshotSource = { latest: async (id) => (id === "m-c" ? lying : undefined) };
      const commands = matchingHandler({ start: "decide-first" }, replica);

      await commands.executeMany(["m-c", "m-d"], { kind: "Match", from: "m-c", to: "m-d" });
      await commands.execute("m-c", { kind: "Credit", amount: 1 });

      assert.deepEqual(
        (await ledger.events.read("m-c", 0)).map((item) => item.version),
        [1, 2, 3],
        "gap-free",
      );
    });

    it("a strongly consistent query of a remembered aggregate reads only the events after it", async () => {
      const commands = handler();
      await commands.execute("c-4", { kind: "Open", owner: "c" });
      for (let i = 0; i < 10; i += 1) await commands.execute("c-4", { kind: "Credit", amount: 1 });
      await handler().execute("c-4", { kind: "Credit", amount: 5 });

      const { result: latest, requests, items } = await cost(() => commands.query("c-4"));

      assert.deepEqual(requests, { Query: 1 });
      assert.equal(items, 2, "v11 (the proof) and v12");
      assert.deepEqual([latest.version, latest.state.balance], [12, 15]);
    });

    it("keeps no more than rememberedBytes of states: past it, a command starts from the ledger as without memory", async () => {
      const small = handler({ rememberedBytes: 10 }); // the bank's state is about 100 bytes of JSON
      const roomy = handler();
      for (const [id, commands] of [
        ["c-5", small],
        ["c-6", roomy],
      ] as const) {
        await commands.execute(id, { kind: "Open", owner: "c" });
        for (let i = 0; i < 5; i += 1) await commands.execute(id, { kind: "Credit", amount: 1 });
      }

      const past = await cost(() => small.execute("c-5", { kind: "Credit", amount: 1 }));
      const within = await cost(() => roomy.execute("c-6", { kind: "Credit", amount: 1 }));

      assert.deepEqual([past.items, within.items], [6, 0], "the whole history, against nothing: the memory is a moment old");
    });

    it("refuses a start it does not know, and a negative rememberedAggregates or rememberedBytes, at construction", () => {
      assert.throws(() => handler({ start: "trust" as never }), /start must be one of "memory-first", "read-first", "decide-first"/);
      assert.throws(() => handler({ rememberedAggregates: -1 }), /rememberedAggregates must be a non-negative integer/);
      assert.throws(() => handler({ rememberedBytes: -1 }), /rememberedBytes must be a non-negative integer/);
    });
  });
});
