import * as assert from "node:assert/strict";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { AccountCommand, AccountState, accounts } from "../../../examples/accounts/domain";
import { balances } from "../../../examples/accounts/projections";
import { AggregateLoader } from "../../../handlers/runtime/ledger/aggregateLoader";
import { CommandHandler } from "../../../handlers/runtime/command/commandHandler";
import { forEachLimit } from "../../../handlers/runtime/support/concurrency";
import { defineDomain, LedgerEvent } from "../../../handlers/runtime/domain/domain";
import { CommandRejectedError, IdempotencyKeyReusedError } from "../../../handlers/runtime/command/errors";
import { CommitOutcomeUnknownError, CommitTooLargeError, VersionGapError } from "../../../handlers/runtime/ledger/errors";
import { InvalidCommandError, InvalidEventError } from "../../../handlers/runtime/domain/errors";
import { emptyAggregate, fold } from "../../../handlers/runtime/domain/fold";
import { aggregateProjection, ReadModelSnapshotSource } from "../../../handlers/runtime/projection/readModelSnapshots";
import { Projector } from "../../../handlers/runtime/projection/projector";
import { toSnapshot } from "../../../handlers/runtime/ledger/snapshots";
import { Dispatcher } from "../../../handlers/runtime/dispatch/dispatcher";
import { InMemoryDeadLetters } from "../../../handlers/runtime/memory/deadLetters";
import { DynamoDbEventStore } from "../../../handlers/runtime/aws/dynamoDbEventStore";
import { commandRoutes } from "../../../handlers/runtime/command/httpRoutes";
import { loseAnswers } from "../../support/faults";
import { BankLedger, accountEvents, bankLedger, racingAppends, seed } from "../../support/ledgerFixture";
import { RecordingBus, bankDispatcher, projectorFor, queueMessages, recordsOf } from "../../support/pipelineFixture";
import { unmarshallImage } from "../../../handlers/runtime/aws/streamImages";

const ledgerOf = async (ledger: BankLedger, id: string): Promise<LedgerEvent[]> =>
  (await ledger.events.read(id, 0)) as unknown as LedgerEvent[];
const typesOf = async (ledger: BankLedger, id: string) => (await ledgerOf(ledger, id)).map((event) => `${event.version}:${event.type}`);

/** An account opened and credited with `balance`, versions 1 and 2. */
async function openAccount(handler: CommandHandler<AccountState, AccountCommand>, id: string, balance: number) {
  await handler.execute(id, { kind: "Open", owner: id });
  if (balance > 0) await handler.execute(id, { kind: "Credit", amount: balance });
}

describe("ledger integrity under faults (DynamoDB Local, faults injected through SDK middleware)", () => {
  let ledger: BankLedger;
  beforeEach(async () => {
    ledger = await bankLedger();
  });

  describe("1. a lost write answer never applies a command twice", () => {
    it("applies a Credit whose PutItem answer was lost exactly once and reports it once, on the first attempt", async () => {
      const handler = ledger.handler();
      await openAccount(handler, "acc", 0);
      const fault = loseAnswers(ledger.db, { operation: "PutItem" });

      const result = await handler.execute("acc", { kind: "Credit", amount: 100 });

      assert.equal(fault.lost, 1, "the answer was really lost after the write");
      assert.equal(result.attempts, 1);
      assert.deepEqual(await typesOf(ledger, "acc"), ["1:AccountOpened", "2:Credited"]);
      assert.equal((await handler.query("acc")).state.balance, 100);
      assert.ok(
        (await ledgerOf(ledger, "acc")).every((event) => typeof event.commitId === "string"),
        "every event carries its commit id",
      );
    });

    it("reports a Debit of 150 on 200 whose answer was lost as done, not as rejected for insufficient funds", async () => {
      const handler = ledger.handler();
      await openAccount(handler, "acc", 200);
      loseAnswers(ledger.db, { operation: "PutItem" });

      const result = await handler.execute("acc", { kind: "Debit", amount: 150 });

      assert.equal(result.aggregate.state.balance, 50);
      assert.deepEqual(await typesOf(ledger, "acc"), ["1:AccountOpened", "2:Credited", "3:Debited"]);
    });

    it("recognises a multi-event transaction that committed although every SDK attempt lost its answer", async () => {
      const twice = defineDomain({
        ...accounts,
        decide: () => [
          { type: "Credited" as const, payload: { amount: 1 } },
          { type: "Credited" as const, payload: { amount: 2 } },
        ],
      });
      const handler = new CommandHandler(new AggregateLoader(twice, ledger.events), ledger.events);
      await ledger.handler().execute("acc", { kind: "Open", owner: "x" });
      const sdkAttempts = await ledger.db.config.maxAttempts();
      const fault = loseAnswers(ledger.db, { operation: "TransactWriteItems", times: sdkAttempts });

      const result = await handler.execute("acc", { kind: "Credit", amount: 0 });

      assert.equal(fault.lost, sdkAttempts, "every one of the SDK's own attempts lost its answer");
      assert.deepEqual(
        result.events.map((event) => event.version),
        [2, 3],
      );
      assert.deepEqual(await typesOf(ledger, "acc"), ["1:AccountOpened", "2:Credited", "3:Credited"]);
    });

    it("recognises an identical commit sent again with a new transaction token by the commit id in the cancellation reasons", async () => {
      await seed(ledger, accountEvents("acc", 1, 1));
      const commit = accountEvents("acc", 2, 3);
      const first = await ledger.events.append(commit, { commitId: "commit-1" });
      const again = await ledger.events.append(commit, { commitId: "commit-1" });
      assert.equal(again.commitId, first.commitId);
      await assert.rejects(ledger.events.append(commit, { commitId: "commit-2" }), { name: "VersionConflictError" });
      assert.deepEqual(await typesOf(ledger, "acc"), ["1:AccountOpened", "2:Credited", "3:Credited"]);
    });

    it("says the outcome is unknown, with the commit id the ledger holds, when no answer ever comes back", async () => {
      const handler = ledger.handler();
      await openAccount(handler, "acc", 0);
      loseAnswers(ledger.db, { operation: "PutItem", times: Infinity });

      const error = await handler.execute("acc", { kind: "Credit", amount: 5 }).then(
        () => undefined,
        (caught: unknown) => caught,
      );

      assert.ok(error instanceof CommitOutcomeUnknownError, String(error));
      const events = await ledgerOf(ledger, "acc");
      assert.deepEqual(
        events.map((event) => event.version),
        [1, 2],
        "applied once, whatever the caller was told",
      );
      assert.equal(events[1].commitId, error.commitId);
    });

    it("names the aggregate when the outcome of a rejection's key record is unknown (a write of no event)", async () => {
      const handler = ledger.handler();
      await openAccount(handler, "acc", 0);
      loseAnswers(ledger.db, { operation: "PutItem", times: Infinity });

      const error = await handler.execute("acc", { kind: "Debit", amount: 50 }, { idempotencyKey: "lost-rejection" }).then(
        () => undefined,
        (caught: unknown) => caught,
      );

      assert.ok(error instanceof CommitOutcomeUnknownError, String(error));
      assert.equal(error.aggregateId, "acc", error.message);
    });
  });

  describe("2. client idempotency keys", () => {
    it("answers a resend of the same key minutes later, from another process, after other commands, with the first result and appends nothing", async () => {
      const first = ledger.handler();
      await openAccount(first, "acc", 100);
      const original = await first.execute("acc", { kind: "Debit", amount: 30 }, { idempotencyKey: "req-1" });
      await first.execute("acc", { kind: "Credit", amount: 10 });
      await first.execute("acc", { kind: "Debit", amount: 75 });
      const minutesLater = ledger.handler({ now: () => new Date(Date.now() + 10 * 60_000) });

      const repeat = await minutesLater.execute("acc", { kind: "Debit", amount: 30 }, { idempotencyKey: "req-1" });

      assert.equal(repeat.repeated, true);
      assert.equal(repeat.commitId, original.commitId);
      assert.deepEqual(repeat.events, original.events);
      assert.deepEqual(repeat.aggregate, original.aggregate);
      assert.deepEqual(await typesOf(ledger, "acc"), ["1:AccountOpened", "2:Credited", "3:Debited", "4:Credited", "5:Debited"]);
    });

    it("answers a resend of a rejected command with the same rejection, even after funds arrived", async () => {
      const handler = ledger.handler();
      await openAccount(handler, "acc", 10);
      await assert.rejects(handler.execute("acc", { kind: "Debit", amount: 50 }, { idempotencyKey: "req-2" }), CommandRejectedError);
      await handler.execute("acc", { kind: "Credit", amount: 100 });

      await assert.rejects(handler.execute("acc", { kind: "Debit", amount: 50 }, { idempotencyKey: "req-2" }), (error: unknown) => {
        assert.ok(error instanceof CommandRejectedError);
        assert.equal(error.reason, "insufficient-funds");
        assert.equal(error.version, 2, "the rejection the first execution got, at its version");
        return true;
      });
      assert.equal((await handler.query("acc")).state.balance, 110);
    });

    it("applies exactly one of two concurrent executions with one key and gives both the same result", async () => {
      await openAccount(ledger.handler(), "acc", 100);
      // Both load and decide on version 2 before either writes: they really race for the key.
      const barrier = racingAppends(ledger);
      const handler = new CommandHandler(new AggregateLoader(accounts, barrier), barrier, { serializePerAggregate: false });

      const [a, b] = await Promise.all([
        handler.execute("acc", { kind: "Debit", amount: 60 }, { idempotencyKey: "req-3" }),
        handler.execute("acc", { kind: "Debit", amount: 60 }, { idempotencyKey: "req-3" }),
      ]);

      assert.equal(a.commitId, b.commitId);
      assert.deepEqual(a.events, b.events);
      assert.deepEqual(await typesOf(ledger, "acc"), ["1:AccountOpened", "2:Credited", "3:Debited"]);
    });

    it("forgets a key after its retention window and runs the command again", async () => {
      const handler = ledger.handler({ idempotencyRetentionSeconds: 60 });
      await openAccount(handler, "acc", 0);
      await handler.execute("acc", { kind: "Credit", amount: 1 }, { idempotencyKey: "req-4" });
      const later = ledger.handler({ now: () => new Date(Date.now() + 120_000), idempotencyRetentionSeconds: 60 });
      // The record says it expired a minute ago (DynamoDB's TTL deletes it only eventually).
      await ledger.db.send(
        new PutCommand({
          TableName: ledger.idempotencyTable,
          Item: { ...(await recordOf(ledger, "req-4")), expiresAt: Math.floor(Date.now() / 1000) - 60 },
        }),
      );

      const again = await later.execute("acc", { kind: "Credit", amount: 1 }, { idempotencyKey: "req-4" });

      assert.equal(again.repeated, undefined);
      assert.deepEqual(await typesOf(ledger, "acc"), ["1:AccountOpened", "2:Credited", "3:Credited"]);
    });

    it("refuses a key reused for a different command with IdempotencyKeyReusedError", async () => {
      const handler = ledger.handler();
      await openAccount(handler, "acc", 100);
      await handler.execute("acc", { kind: "Debit", amount: 1 }, { idempotencyKey: "req-5" });
      await assert.rejects(handler.execute("acc", { kind: "Debit", amount: 2 }, { idempotencyKey: "req-5" }), IdempotencyKeyReusedError);
      assert.equal((await handler.query("acc")).state.balance, 99);
    });

    it("records the key in the command's own write: one PutItem becomes one transaction, no extra request", async () => {
      const handler = ledger.handler();
      await openAccount(handler, "acc", 100);
      ledger.requests.reset();
      await handler.execute("acc", { kind: "Debit", amount: 1 });
      const plain = Object.fromEntries(ledger.requests.byOperation);
      ledger.requests.reset();
      await handler.execute("acc", { kind: "Debit", amount: 1 }, { idempotencyKey: "req-6" });
      const keyed = Object.fromEntries(ledger.requests.byOperation);

      assert.deepEqual(plain, { PutItem: 1 }, "the write alone, on what its own commit proved a moment before");
      assert.deepEqual(keyed, { TransactWriteItems: 1 });
    });
  });

  describe("3. no gap, whatever a snapshot says", () => {
    for (const start of ["sequential", "parallel"] as const) {
      it(`ignores a snapshot at version 500 when the ledger ends at 10, and appends version 11 (${start} start)`, async () => {
        await seed(ledger, accountEvents("acc", 1, 10));
        const at10 = fold(accounts, emptyAggregate(accounts, "acc"), accountEvents("acc", 1, 10));
        await ledger.snapshots.save(toSnapshot(accounts, { ...at10, version: 500 }));
        const handler = new CommandHandler(
          new AggregateLoader(accounts, ledger.events, ledger.snapshots, { start, tailSize: 5 }),
          ledger.events,
        );

        const result = await handler.execute("acc", { kind: "Credit", amount: 1 });

        assert.deepEqual(
          result.events.map((event) => event.version),
          [11],
        );
        assert.equal(result.aggregate.state.balance, 10);
        assert.equal((await ledgerOf(ledger, "acc")).length, 11);
      });
    }

    it("ignores a read-model row at version 50 made from one crafted queue message, and appends version 11", async () => {
      await seed(ledger, accountEvents("acc", 1, 10));
      const { projector, readModel } = await projectorFor(ledger, aggregateProjection("accounts-state", accounts));
      const real = fold(accounts, emptyAggregate(accounts, "acc"), accountEvents("acc", 1, 10));
      const crafted = {
        schemaVersion: 1,
        event: { ...accountEvents("acc", 2, 2)[0], version: 50 },
        aggregate: { version: 50, state: real.state },
      };
      await projector.project(queueMessages([crafted]));
      assert.equal((await readModel.get("acc"))?.version, 50, "the crafted row is really there");
      const handler = new CommandHandler(
        new AggregateLoader(accounts, ledger.events, new ReadModelSnapshotSource(readModel)),
        ledger.events,
      );

      const result = await handler.execute("acc", { kind: "Credit", amount: 1 });

      assert.deepEqual(
        result.events.map((event) => event.version),
        [11],
      );
    });

    it("refuses an append whose predecessor does not exist with VersionGapError and writes nothing", async () => {
      await seed(ledger, accountEvents("acc", 1, 10));
      await assert.rejects(ledger.events.append(accountEvents("acc", 12, 12)), (error: unknown) => {
        assert.ok(error instanceof VersionGapError, String(error));
        assert.equal(error.missingVersion, 11);
        return true;
      });
      assert.equal((await ledgerOf(ledger, "acc")).length, 10);
    });
  });

  describe("4. a corrupt snapshot is never trusted", () => {
    for (const [label, corrupt] of [
      ["state null", { state: null }],
      ["state a broken string", { state: "garbage{" }],
      ["a balance of 'abc' with a checksum that matches it", { state: { opened: true, balance: "abc" }, recompute: true }],
      ["a checksum that does not match", { state: { opened: true, balance: 1_000_000 } }],
    ] as const) {
      for (const [start, itemsRead, how] of [
        ["sequential", 81, "51..130 after the snapshot at 50 (with 50 as proof)"],
        ["parallel", 100, "only the 100-event tail, which holds the snapshot at 50: nothing from version 1"],
      ] as const) {
        it(`falls back to the previous valid snapshot past one with ${label} (${start} start)`, async () => {
          await seed(ledger, accountEvents("acc", 1, 130), 50);
          const valid100 = await ledger.snapshots.get("acc", 100);
          const bad = { ...valid100!, state: corrupt.state } as typeof valid100 & {};
          const item =
            "recompute" in corrupt ? toSnapshot(accounts, { aggregateId: "acc", version: 100, state: corrupt.state as never }) : bad;
          await ledger.db.send(new PutCommand({ TableName: ledger.snapshotTable, Item: item }));
          const handler = new CommandHandler(
            new AggregateLoader(accounts, ledger.events, ledger.snapshots, { start, tailSize: 100 }),
            ledger.events,
          );
          const before = ledger.requests.itemsRead(ledger.events.tableName);

          const result = await handler.execute("acc", { kind: "Debit", amount: 5 });

          assert.equal(result.aggregate.state.balance, 129 - 5);
          assert.equal(ledger.requests.itemsRead(ledger.events.tableName) - before, itemsRead, how);
        });
      }
    }

    it("never publishes a state folded on a corrupt snapshot from the dispatcher", async () => {
      await seed(ledger, accountEvents("acc", 1, 105), 100);
      await ledger.db.send(
        new PutCommand({
          TableName: ledger.snapshotTable,
          Item: { ...toSnapshot(accounts, { aggregateId: "acc", version: 100, state: { opened: true, balance: "abc" } as never }) },
        }),
      );
      const bus = new RecordingBus();
      const { dispatcher } = bankDispatcher(ledger, bus);

      await dispatcher.dispatch(recordsOf(accountEvents("acc", 101, 105)));

      assert.deepEqual(
        bus.messages.map((message) => (message.aggregate?.state as AccountState).balance),
        [100, 101, 102, 103, 104],
      );
    });
  });

  describe("5. atomic commits across aggregates", () => {
    it("conserves money under 8 concurrent workers making 80 transfers among 4 accounts, every debit with its credit", async function () {
      this.timeout(120_000);
      const handler = ledger.handler({ maxAttempts: 50 });
      const ids = ["t1", "t2", "t3", "t4"];
      for (const id of ids) await openAccount(handler, id, 1000);
      const transfers = Array.from({ length: 80 }, (_, i) => ({
        from: ids[i % 4],
        to: ids[(i * 3 + 1) % 4 === i % 4 ? (i + 1) % 4 : (i * 3 + 1) % 4],
        amount: 1 + (i % 7),
      }));
      let committed = 0;
      await forEachLimit(transfers, 8, async ({ from, to, amount }) => {
        await handler.executeMany([from, to], { kind: "Transfer", from, to, amount });
        committed += 1;
      });

      const states = await Promise.all(ids.map((id) => handler.query(id)));
      assert.equal(committed, 80);
      assert.equal(
        states.reduce((sum, aggregate) => sum + aggregate.state.balance, 0),
        4000,
        "money is conserved",
      );
      const all = (await Promise.all(ids.map((id) => ledgerOf(ledger, id)))).flat().filter((event) => event.payload.transfer);
      const byCommit = new Map<string, LedgerEvent[]>();
      for (const event of all) byCommit.set(event.commitId!, [...(byCommit.get(event.commitId!) ?? []), event]);
      assert.equal(byCommit.size, 80);
      for (const pair of byCommit.values())
        assert.deepEqual(pair.map((event) => event.type).sort(), ["Credited", "Debited"], "each debit has its credit in the same commit");
      for (const id of ids) {
        const versions = (await ledgerOf(ledger, id)).map((event) => event.version);
        assert.deepEqual(
          versions,
          versions.map((_, index) => index + 1),
          `${id} is gap-free`,
        );
      }
    });

    it("writes neither side of a transfer that cannot be covered", async () => {
      const handler = ledger.handler();
      await openAccount(handler, "a", 10);
      await openAccount(handler, "b", 0);
      await assert.rejects(handler.executeMany(["a", "b"], { kind: "Transfer", from: "a", to: "b", amount: 11 }), CommandRejectedError);
      assert.deepEqual([(await ledgerOf(ledger, "a")).length, (await ledgerOf(ledger, "b")).length], [2, 1]);
    });
  });

  describe("6. bad input is refused before any write, with a typed error", () => {
    const noting = defineDomain<{ notes: number }, { payload: Record<string, unknown> }>({
      name: "Notebook",
      schemaVersion: 1,
      initialState: () => ({ notes: 0 }),
      eventTypes: { Noted: () => undefined },
      reduce: (state) => ({ notes: state.notes + 1 }),
      decide: (_state, command) => [{ type: "Noted", payload: command.payload }],
    });
    const notebook = () => new CommandHandler(new AggregateLoader(noting, ledger.events), ledger.events);

    for (const [label, payload, path] of [
      ["undefined inside an array", { list: [1, undefined, 3] }, /payload\.list\[1\]: undefined/],
      ["a function", { fn: () => 1 }, /payload\.fn: a function/],
      ["a Date", { at: new Date() }, /payload\.at: a Date/],
      ["a nested NaN", { deep: { value: NaN } }, /payload\.deep\.value: NaN/],
      ["a nested Infinity", { deep: [Infinity] }, /payload\.deep\[0\]: Infinity/],
      ["an empty attribute name", { "": 1 }, /attribute name is empty/],
      ["a number beyond 2^53", { big: 2 ** 53 + 2 }, /beyond ±2\^53/],
      ["a number below DynamoDB's precision", { tiny: 1e-200 }, /below DynamoDB's smallest number/],
    ] as const) {
      it(`refuses a payload with ${label} with InvalidEventError naming the path`, async () => {
        await assert.rejects(notebook().execute("nb", { payload: payload as Record<string, unknown> }), (error: unknown) => {
          assert.ok(error instanceof InvalidEventError, String(error));
          assert.match(error.message, path);
          return true;
        });
        assert.equal((await ledgerOf(ledger, "nb")).length, 0);
      });
    }

    it("refuses an aggregate id over 1,024 bytes (the index of aggregates sorts on it), an item over 400 KB and a commit over 4 MB before writing", async () => {
      const longId = "é".repeat(513);
      await assert.rejects(notebook().execute(longId, { payload: {} }), /1026 bytes; at most 1024 are allowed/);
      // The longest id the limit allows is one the ledger really takes, index included.
      const longest = "é".repeat(512);
      await notebook().execute(longest, { payload: {} });
      assert.equal((await ledgerOf(ledger, longest)).length, 1);
      await assert.rejects(
        notebook().execute("nb", { payload: { text: "x".repeat(410 * 1024) } }),
        (error: unknown) => error instanceof InvalidEventError && /400 KB|409600-byte item limit/.test(error.message),
      );
      const heavy = Array.from({ length: 12 }, (_, i) => ({
        aggregateId: "nb",
        version: i + 1,
        type: "Noted",
        payload: { text: "x".repeat(380 * 1024) },
        timestamp: new Date().toISOString(),
      }));
      await assert.rejects(ledger.events.append(heavy), (error: unknown) => error instanceof CommitTooLargeError && error.unit === "bytes");
      assert.equal((await ledgerOf(ledger, "nb")).length, 0);
    });

    it("refuses a decide that returns undefined, null or a bare event with InvalidCommandError", async () => {
      for (const returned of [undefined, null, { type: "Noted", payload: {} }, [null]]) {
        const sloppy = defineDomain({ ...noting, decide: () => returned as never });
        const handler = new CommandHandler(new AggregateLoader(sloppy, ledger.events), ledger.events);
        await assert.rejects(
          handler.execute("nb", { payload: {} }),
          (error: unknown) => error instanceof InvalidCommandError && /decide returned/.test(error.message),
        );
      }
      await assert.rejects(
        ledger.handler().execute("acc", { kind: "Teleport" } as never),
        (error: unknown) => error instanceof InvalidCommandError && /decide returned undefined/.test(error.message),
      );
      assert.equal((await ledgerOf(ledger, "nb")).length, 0);
    });

    it("refuses a credit that would take a balance past 2^53 at the command, so no projector is ever poisoned", async () => {
      const handler = ledger.handler();
      await openAccount(handler, "rich", Number.MAX_SAFE_INTEGER);
      await assert.rejects(
        handler.execute("rich", { kind: "Credit", amount: 10 }),
        (error: unknown) => error instanceof InvalidEventError && /state\.balance: .* beyond ±2\^53/.test(error.message),
      );
      assert.equal((await ledgerOf(ledger, "rich")).length, 2);
    });

    it("throws at construction for a concurrency, maxAttempts, snapshotEvery, page size, resend count or body limit that is not a usable integer", () => {
      const options = {
        domain: accounts,
        loader: ledger.loader,
        bus: new RecordingBus(),
        deadLetters: new InMemoryDeadLetters(),
        source: "x",
      };
      assert.throws(
        () => new Dispatcher({ unmarshall: unmarshallImage, ...options, concurrency: 0 }),
        /concurrency must be a positive integer, got 0/,
      );
      assert.throws(() => new Dispatcher({ unmarshall: unmarshallImage, ...options, snapshotEvery: NaN }), /snapshotEvery/);
      assert.throws(
        () =>
          new Projector({
            projection: balances,
            readModel: { get: async () => undefined, putIfNewer: async () => ({ written: true }) },
            deadLetters: new InMemoryDeadLetters(),
            concurrency: NaN,
          }),
        /concurrency/,
      );
      assert.throws(() => ledger.handler({ maxAttempts: 0 }), /maxAttempts/);
      assert.throws(() => new DynamoDbEventStore(ledger.db, "t", { pageSize: NaN }), /pageSize must be a positive integer/);
      assert.throws(() => new DynamoDbEventStore(ledger.db, "t", { resendAttempts: -1 }), /resendAttempts/);
      // A NaN body limit (MAX_BODY_BYTES=abc) would otherwise accept bodies of any size.
      assert.throws(
        () => commandRoutes({ commands: ledger.handler(), maxBodyBytes: NaN }),
        /maxBodyBytes must be a positive integer, got NaN/,
      );
    });
  });

  describe("7. messages that lie", () => {
    it("dead-letters a claim check that names another aggregate instead of writing its state into the row", async () => {
      await seed(ledger, accountEvents("victim", 1, 1));
      await seed(ledger, accountEvents("other", 1, 1));
      await ledger.snapshots.save(
        toSnapshot(accounts, { aggregateId: "other", version: 1, state: { opened: true, owner: "mallory", balance: 999 } }),
      );
      const { projector, readModel, deadLetters } = await projectorFor(ledger, balances);
      const lying = { schemaVersion: 1, event: accountEvents("victim", 1, 1)[0], aggregateRef: { aggregateId: "other", version: 1 } };

      const report = await projector.project(queueMessages([lying]));

      assert.equal(report.deadLettered, 1);
      assert.match(deadLetters.letters[0].reason, /claim check names aggregate "other", not the event's "victim"/);
      assert.equal(await readModel.get("victim"), undefined);
    });

    it("carries a state with its own version field, and a state that is a number, unchanged to projectors and back into commands", async () => {
      const counter = defineDomain<number, { by: number }>({
        name: "Counter",
        schemaVersion: 1,
        initialState: () => 0,
        eventTypes: { Incremented: () => undefined },
        reduce: (state, event) => state + (event.payload.by as number),
        decide: (_state, command) => [{ type: "Incremented", payload: { by: command.by } }],
      });
      const handler = new CommandHandler(new AggregateLoader(counter, ledger.events), ledger.events);
      for (const by of [5, 10]) await handler.execute("c", { by });
      const bus = new RecordingBus();
      const dispatcher = new Dispatcher({
        unmarshall: unmarshallImage,
        domain: counter,
        loader: new AggregateLoader(counter, ledger.events),
        bus,
        deadLetters: new InMemoryDeadLetters(),
        source: "counters",
      });
      await dispatcher.dispatch(recordsOf(await ledgerOf(ledger, "c")));
      assert.deepEqual(
        bus.messages.map((message) => message.aggregate),
        [
          { version: 1, state: 5 },
          { version: 2, state: 15 },
        ],
      );

      const { projector, readModel } = await projectorFor(ledger, aggregateProjection("counter-state", counter));
      await projector.project(queueMessages(bus.messages));
      const fromRows = new CommandHandler(
        new AggregateLoader(counter, ledger.events, new ReadModelSnapshotSource(readModel)),
        ledger.events,
      );
      const next = await fromRows.execute("c", { by: 1 });
      assert.equal(next.aggregate.state, 16);

      const versioned = defineDomain<{ version: string }, { to: string }>({
        name: "Document",
        schemaVersion: 1,
        initialState: () => ({ version: "draft" }),
        eventTypes: { Released: () => undefined },
        reduce: (_state, event) => ({ version: event.payload.to as string }),
        decide: (_state, command) => [{ type: "Released", payload: { to: command.to } }],
      });
      await new CommandHandler(new AggregateLoader(versioned, ledger.events), ledger.events).execute("doc", { to: "v2.1" });
      const docBus = new RecordingBus();
      await new Dispatcher({
        unmarshall: unmarshallImage,
        domain: versioned,
        loader: new AggregateLoader(versioned, ledger.events),
        bus: docBus,
        deadLetters: new InMemoryDeadLetters(),
        source: "docs",
      }).dispatch(recordsOf(await ledgerOf(ledger, "doc")));
      assert.deepEqual(docBus.messages[0].aggregate, { version: 1, state: { version: "v2.1" } });
    });

    it("dead-letters a replay without payload, a reference without an id and an upcast that throws, instead of retrying them forever", async () => {
      const { projector, deadLetters } = await projectorFor(ledger, {
        ...balances,
        schemaVersion: 2,
        upcast: () => {
          throw new Error("no such shape");
        },
      });
      const event = accountEvents("acc", 1, 1)[0];
      const replayWithoutPayload = {
        schemaVersion: 2,
        event: { ...event, type: "ledger.Replay", payload: undefined },
        aggregate: { version: 1, state: {} },
      };
      const refWithoutId = { schemaVersion: 2, event, aggregateRef: { version: 1 } };
      const oldShape = { schemaVersion: 1, event, aggregate: { version: 1, state: { opened: true, balance: 0 } } };

      const report = await projector.project(queueMessages([replayWithoutPayload, refWithoutId, oldShape] as never));

      assert.deepEqual(report.batchItemFailures, []);
      assert.equal(report.deadLettered, 3);
      assert.deepEqual(
        deadLetters.letters.map((letter) => letter.reason),
        [
          'event ledger.Replay of "acc" has no payload object',
          'the claim check names aggregate undefined, not the event\'s "acc"',
          "upcast from schema version 1 failed: no such shape",
        ],
      );
    });
  });
});

async function recordOf(ledger: BankLedger, key: string): Promise<Record<string, unknown>> {
  const { GetCommand } = await import("@aws-sdk/lib-dynamodb");
  const result = await ledger.db.send(
    new GetCommand({ TableName: ledger.idempotencyTable, Key: { idempotencyKey: key }, ConsistentRead: true }),
  );
  assert.ok(result.Item, `no record for ${key}`);
  return result.Item;
}
