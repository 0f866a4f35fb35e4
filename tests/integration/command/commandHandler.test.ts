import * as assert from "node:assert/strict";
import { AccountCommand, AccountState, accounts } from "../../../examples/accounts/domain";
import { CommandHandler } from "../../../handlers/runtime/command/commandHandler";
import { defineDomain } from "../../../handlers/runtime/domain/domain";
import { emptyAggregate, fold } from "../../../handlers/runtime/domain/fold";
import { toSnapshot } from "../../../handlers/runtime/ledger/snapshots";
import { CommandRejectedError, RetriesExhaustedError } from "../../../handlers/runtime/command/errors";
import { InvalidEventError } from "../../../handlers/runtime/domain/errors";
import { EventStore, StoredEventItem } from "../../../handlers/runtime/ledger/stores";
import { AggregateLoader, StartStrategy } from "../../../handlers/runtime/ledger/aggregateLoader";
import { DynamoDbEventStore } from "../../../handlers/runtime/aws/dynamoDbEventStore";
import { BankLedger, accountEvents, bankLedger, racingAppends, seed } from "../../support/ledgerFixture";

const versionsOf = async (ledger: BankLedger, id: string): Promise<number[]> =>
  (await ledger.events.read(id, 0)).map((item) => item.version as number);

describe("command side with snapshot catch-up (DynamoDB Local)", () => {
  let ledger: BankLedger;
  beforeEach(async () => {
    ledger = await bankLedger();
  });

  it("lets exactly one of two concurrent debits (40 and 25 on 50) win and rejects the other for insufficient funds", async () => {
    await ledger.handler().execute("acc-1", { kind: "Open", owner: "ada" });
    await ledger.handler().execute("acc-1", { kind: "Credit", amount: 50 });
    // Hold the first two appends until both commands have loaded and decided: they truly collide.
    const barrier = racingAppends(ledger);
    // Two processes, as far as the ledger can tell: no in-process queue between them.
    const handler = new CommandHandler(new AggregateLoader(accounts, barrier), barrier, { serializePerAggregate: false });

    const outcomes = await Promise.allSettled([
      handler.execute("acc-1", { kind: "Debit", amount: 40 }),
      handler.execute("acc-1", { kind: "Debit", amount: 25 }),
    ]);

    const won = outcomes.filter((outcome) => outcome.status === "fulfilled");
    const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
    assert.equal(won.length, 1);
    assert.equal(lost.length, 1);
    assert.ok(lost[0].reason instanceof CommandRejectedError, String(lost[0].reason));
    assert.equal(lost[0].reason.reason, "insufficient-funds");
    assert.equal(lost[0].reason.version, 3, "the loser decided on the caught-up state at version 3");
    assert.deepEqual(await versionsOf(ledger, "acc-1"), [1, 2, 3], "no gap and no duplicate version");
    const final = await handler.query("acc-1");
    assert.ok(final.state.balance === 10 || final.state.balance === 25, `balance ${final.state.balance}`);
    assert.equal(barrier.arrivals(), 2, "the loser caught up and was rejected before a second append");
  });

  it("catches a stale snapshot up by reading only the 3 missing events and the snapshot's own version (snapshot at 1000, ledger at 1003)", async () => {
    await seed(ledger, accountEvents("acc-stale", 1, 1003));
    const at1000 = fold(accounts, emptyAggregate(accounts, "acc-stale"), accountEvents("acc-stale", 1, 1000));
    await ledger.snapshots.save(toSnapshot(accounts, at1000));

    const before = ledger.requests.itemsRead(ledger.events.tableName);
    ledger.requests.reset();
    const sequential = new CommandHandler(
      new AggregateLoader(accounts, ledger.events, ledger.snapshots, { start: "sequential" }),
      ledger.events,
    );
    const result = await sequential.execute("acc-stale", { kind: "Debit", amount: 2 });

    assert.equal(
      ledger.requests.itemsRead(ledger.events.tableName) - before,
      4,
      "versions 1001..1003, plus 1000 itself: the proof that the ledger reaches the snapshot",
    );
    assert.equal(ledger.requests.byOperation.get("Query"), 2, "one snapshot query, one ledger query: the proof costs no request");
    assert.equal(result.aggregate.version, 1004);
    assert.equal(result.aggregate.state.balance, 1002 - 2);
    assert.equal(result.attempts, 1);
  });

  it("throws RetriesExhaustedError naming the aggregate and attempts when every append collides", async () => {
    await seed(ledger, accountEvents("acc-hot", 1, 2));
    // A rival that always wins: before each of our appends, it writes the same version for real.
    const rival: EventStore = {
      read: (id, after, upTo) => ledger.events.read(id, after, upTo),
      readLatest: (id, limit, upTo) => ledger.events.readLatest(id, limit, upTo),
      async append(events: readonly StoredEventItem[], options) {
        await ledger.events.append(events.map((event) => ({ ...event, type: "Credited", payload: { amount: 7 } })));
        return ledger.events.append(events, options);
      },
    };
    const handler = new CommandHandler(new AggregateLoader(accounts, rival), rival, { maxAttempts: 3 });

    await assert.rejects(handler.execute("acc-hot", { kind: "Credit", amount: 1 }), (error: unknown) => {
      assert.ok(error instanceof RetriesExhaustedError);
      assert.equal(error.aggregateId, "acc-hot");
      assert.equal(error.attempts, 3);
      assert.match(error.message, /acc-hot.*3 attempts/);
      return true;
    });
    const amounts = (await ledger.events.read("acc-hot", 2)).map((item) => (item.payload as { amount: number }).amount);
    assert.deepEqual(amounts, [7, 7, 7], "only the rival's events were written, one per attempt");
  });

  it("loads a 10,000-event aggregate snapshotted every 100 by reading at most 100 events, paginating the full fold", async function () {
    this.timeout(180_000);
    await seed(ledger, accountEvents("acc-long", 1, 10_099), 100);

    const before = ledger.requests.itemsRead(ledger.events.tableName);
    const fast = await new AggregateLoader(accounts, ledger.events, ledger.snapshots, { start: "sequential" }).load("acc-long");
    const readWithSnapshot = ledger.requests.itemsRead(ledger.events.tableName) - before;

    const naive = new AggregateLoader(accounts, new DynamoDbEventStore(ledger.db, ledger.ledgerTable, 1000));
    ledger.requests.reset();
    const full = await naive.load("acc-long");

    assert.ok(readWithSnapshot <= 100, `read ${readWithSnapshot} events`);
    assert.equal(readWithSnapshot, 100, "99 events after the snapshot at 10,000 and the snapshot's own version");
    assert.deepEqual(fast, full, "snapshot catch-up and full fold agree");
    assert.equal(full.version, 10_099);
    assert.equal(ledger.requests.byOperation.get("Query"), 11, "the full read followed all 11 pages of 1,000");
  });

  describe("parallel start (snapshot and the ledger's tail read at once)", () => {
    /** A snapshot source that stays pending a moment and says whether the ledger read began meanwhile. */
    const watched = () => {
      const seen = { ledgerReadDuringSnapshotRead: false, snapshotPending: false };
      const events: EventStore = {
        append: (items, options) => ledger.events.append(items, options),
        read: (id, after, upTo) => ledger.events.read(id, after, upTo),
        readLatest: (id, limit, upTo) => {
          if (seen.snapshotPending) seen.ledgerReadDuringSnapshotRead = true;
          return ledger.events.readLatest(id, limit, upTo);
        },
      };
      const snapshots = {
        latest: async (id: string, atOrBelow?: number) => {
          seen.snapshotPending = true;
          await new Promise((resolve) => setTimeout(resolve, 20));
          seen.snapshotPending = false;
          return ledger.snapshots.latest(id, atOrBelow);
        },
      };
      return { seen, loader: (start: StartStrategy) => new AggregateLoader(accounts, events, snapshots, { start }) };
    };

    it("parallel: reads the ledger's tail while the snapshot read is still pending (one round trip)", async () => {
      await seed(ledger, accountEvents("young", 1, 40));
      const { seen, loader } = watched();
      ledger.requests.reset();

      const loaded = await loader("parallel").load("young");

      assert.equal(seen.ledgerReadDuringSnapshotRead, true);
      assert.deepEqual(
        Object.fromEntries(ledger.requests.byOperation),
        { Query: 2 },
        "one snapshot query and one ledger query, side by side",
      );
      assert.deepEqual(loaded, await new AggregateLoader(accounts, ledger.events).load("young"));
    });

    it("adaptive (the default): loads an aggregate younger than the tail with exactly the one query a plain fold makes", async () => {
      await seed(ledger, accountEvents("young", 1, 150), 100);
      ledger.requests.reset();
      const before = ledger.requests.itemsRead(ledger.events.tableName);

      const loaded = await ledger.loader.load("young");

      assert.deepEqual(Object.fromEntries(ledger.requests.byOperation), { Query: 1 }, "no snapshot read at all");
      assert.equal(ledger.requests.itemsRead(ledger.events.tableName) - before, 150);
      assert.deepEqual(loaded, await new AggregateLoader(accounts, ledger.events).load("young"));
    });

    it("adaptive: starts an aggregate it has seen past the tail from its snapshot, reading only the events after it", async () => {
      await seed(ledger, accountEvents("old", 1, 1_030), 100);
      const loader = new AggregateLoader(accounts, ledger.events, ledger.snapshots);
      const first = await loader.load("old");
      ledger.requests.reset();
      const before = ledger.requests.itemsRead(ledger.events.tableName);

      const again = await loader.load("old");

      assert.deepEqual(again, first);
      assert.equal(ledger.requests.byOperation.get("Query"), 2, "snapshot, then the events after it");
      assert.equal(ledger.requests.itemsRead(ledger.events.tableName) - before, 31, "versions 1001..1030 and 1000 itself as proof");
    });

    it("joins a snapshot inside the tail with the events after it, and reads what lies between when the snapshot is older than the tail", async () => {
      await seed(ledger, accountEvents("old", 1, 250), 100);
      const full = await new AggregateLoader(accounts, ledger.events).load("old");
      for (const tailSize of [100, 20]) {
        ledger.requests.reset();
        const loaded = await new AggregateLoader(accounts, ledger.events, ledger.snapshots, { tailSize }).load("old");
        assert.deepEqual(loaded, full, `tail of ${tailSize}`);
        assert.equal(
          ledger.requests.byOperation.get("Query"),
          tailSize === 100 ? 2 : 3,
          tailSize === 100 ? "the snapshot at 200 lies inside the tail" : "versions 200..230 read after",
        );
      }
      assert.deepEqual(
        await new AggregateLoader(accounts, ledger.events, ledger.snapshots).load("old", 150),
        await new AggregateLoader(accounts, ledger.events).load("old", 150),
        "as of a past version too",
      );
    });
  });

  it("saves a snapshot at every multiple of snapshotEvery that a command's events cross", async () => {
    await seed(ledger, accountEvents("acc-snap", 1, 9));
    const result = await ledger.handler({ snapshotEvery: 10 }).execute("acc-snap", { kind: "Credit", amount: 5 });
    assert.equal(result.aggregate.version, 10);
    const snapshot = await ledger.snapshots.latest("acc-snap");
    assert.deepEqual(snapshot, toSnapshot(accounts, result.aggregate));
    assert.match(String(snapshot?.checksum), /^[0-9a-f]{64}$/);
  });

  it("ignores a snapshot made with another schema version and folds from the start", async () => {
    await seed(ledger, accountEvents("acc-schema", 1, 5));
    await ledger.snapshots.save({
      ...toSnapshot(accounts, { aggregateId: "acc-schema", version: 5, state: { opened: true, balance: 1e9 } }),
      schemaVersion: 99,
    });
    const loaded = await ledger.loader.load("acc-schema");
    assert.equal(loaded.state.balance, 4);
  });

  it("writes a multi-event commit atomically: one colliding version writes none of them", async () => {
    await seed(ledger, accountEvents("acc-atomic", 1, 3));
    await assert.rejects(ledger.events.append(accountEvents("acc-atomic", 3, 5)), /version 3 of aggregate "acc-atomic"/);
    assert.deepEqual(await versionsOf(ledger, "acc-atomic"), [1, 2, 3]);
    await ledger.events.append(accountEvents("acc-atomic", 4, 6));
    assert.deepEqual(await versionsOf(ledger, "acc-atomic"), [1, 2, 3, 4, 5, 6]);
  });

  it("refuses a commit of more than 100 events with CommitTooLargeError and writes nothing", async () => {
    await assert.rejects(ledger.events.append(accountEvents("acc-big", 1, 101)), { name: "CommitTooLargeError" });
    assert.deepEqual(await versionsOf(ledger, "acc-big"), []);
  });

  describe("bad input gets a clear error and writes nothing", () => {
    it("rejects an event type the domain does not declare", async () => {
      // Declared without its event union, as an untyped (JavaScript) domain would be.
      const sloppy = defineDomain<AccountState, AccountCommand>({ ...accounts, decide: () => [{ type: "Teleported", payload: {} }] });
      const handler = new CommandHandler(new AggregateLoader(sloppy, ledger.events), ledger.events);
      await assert.rejects(handler.execute("acc-bad", { kind: "Credit", amount: 1 }), (error: unknown) => {
        assert.ok(error instanceof InvalidEventError);
        assert.match(error.message, /unknown event type "Teleported".*AccountOpened, Credited, Debited/);
        return true;
      });
      assert.deepEqual(await versionsOf(ledger, "acc-bad"), []);
    });

    it("rejects a command without aggregate id", async () => {
      await assert.rejects(ledger.handler().execute("", { kind: "Open", owner: "x" }), /missing aggregate id/);
      await assert.rejects(ledger.events.append([{ ...accountEvents("x", 1, 1)[0], aggregateId: " " }]), /missing aggregate id/);
    });

    it("rejects a non-integer version", async () => {
      await assert.rejects(ledger.events.append([{ ...accountEvents("acc-frac", 1, 1)[0], version: 1.5 }]), (error: unknown) => {
        assert.ok(error instanceof InvalidEventError);
        assert.match(error.message, /version must be a positive integer, got 1.5/);
        return true;
      });
      assert.deepEqual(await versionsOf(ledger, "acc-frac"), []);
    });

    it("rejects a payload the domain's check refuses", async () => {
      await ledger.handler().execute("acc-neg", { kind: "Open", owner: "x" });
      await assert.rejects(
        ledger.handler().execute("acc-neg", { kind: "Credit", amount: -5 }),
        /Credited: amount must be a positive number, got -5/,
      );
      assert.deepEqual(await versionsOf(ledger, "acc-neg"), [1]);
    });
  });
});
