import * as assert from "node:assert/strict";
import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import * as fc from "fast-check";
import { accounts, AccountCommand, AccountState } from "../../../examples/accounts/domain";
import { balances, lastTransaction } from "../../../examples/accounts/projections";
import { PROJECTION_PARTITION_KEY } from "../../../handlers/runtime/ledger/conventions";
import { Aggregate, LedgerEvent, isRejection } from "../../../handlers/runtime/domain/domain";
import { emptyAggregate, fold } from "../../../handlers/runtime/domain/fold";
import { StateCarriedMessage } from "../../../handlers/runtime/messages/stateCarried";
import { Projection, defineProjection } from "../../../handlers/runtime/projection/projection";
import { Projector } from "../../../handlers/runtime/projection/projector";
import { ReadModelStore } from "../../../handlers/runtime/ledger/stores";
import { InMemoryDeadLetters } from "../../../handlers/runtime/memory/deadLetters";
import { AggregateLoader } from "../../../handlers/runtime/ledger/aggregateLoader";
import { ReadModelSnapshotSource, aggregateProjection } from "../../../handlers/runtime/projection/readModelSnapshots";
import { BankLedger, accountEvents, bankLedger, seed } from "../../support/ledgerFixture";
import { RecordingBus, bankDispatcher, projectorFor, queueMessages, recordsOf } from "../../support/pipelineFixture";

/** Turns commands into a valid history with the domain's own decide (rejected debits are dropped). */
function history(aggregateId: string, commands: AccountCommand[]): LedgerEvent[] {
  let aggregate: Aggregate<AccountState> = emptyAggregate(accounts, aggregateId);
  const events: LedgerEvent[] = [];
  for (const command of [{ kind: "Open", owner: aggregateId } as AccountCommand, ...commands]) {
    const decision = accounts.decide(aggregate.state, command, aggregate);
    if (isRejection(decision)) continue;
    const appended = decision.map((event, index) => ({
      ...event,
      aggregateId,
      version: aggregate.version + index + 1,
      timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, aggregate.version + index)).toISOString(),
    }));
    aggregate = fold(accounts, aggregate, appended);
    events.push(...appended);
  }
  return events;
}

/** The row a projection holds after an in-order fold: from the last event it subscribes to. */
function expectedRow(projection: Projection<AccountState>, events: LedgerEvent[]) {
  let row: Record<string, unknown> | undefined;
  fold(accounts, emptyAggregate(accounts, events[0].aggregateId), events, (aggregate, event) => {
    if (projection.eventTypes.includes(event.type)) {
      row = { ...projection.project(aggregate, event), [PROJECTION_PARTITION_KEY]: aggregate.aggregateId, version: aggregate.version };
    }
  });
  return row;
}

async function dispatchAll(ledger: BankLedger, events: LedgerEvent[]): Promise<StateCarriedMessage[]> {
  const bus = new RecordingBus();
  const { dispatcher } = bankDispatcher(ledger, bus);
  const report = await dispatcher.dispatch(recordsOf(events));
  assert.deepEqual(report.batchItemFailures, []);
  return bus.messages;
}

describe("Projector (DynamoDB Local read models)", () => {
  let ledger: BankLedger;
  before(async () => {
    ledger = await bankLedger();
  });

  it("projects exactly the in-order fold whatever the delivery order and duplicates (property, fast-check)", async function () {
    this.timeout(300_000);
    const projectors = [await projectorFor(ledger, balances), await projectorFor(ledger, lastTransaction)];
    let run = 0;
    const command = fc.oneof(
      fc.record({ kind: fc.constant("Credit" as const), amount: fc.integer({ min: 1, max: 50 }) }),
      fc.record({ kind: fc.constant("Debit" as const), amount: fc.integer({ min: 1, max: 50 }) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(command, { maxLength: 12 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.integer({ min: 1, max: 10 }),
        fc.nat(),
        async (perAggregate, duplicateIndexes, batchSize, shuffleSeed) => {
          run += 1;
          const histories = perAggregate.map((commands, index) => history(`run${run}-acc${index}`, commands));
          for (const events of histories) await seed(ledger, events);
          const messages = await dispatchAll(ledger, histories.flat());
          const delivered = [...messages, ...duplicateIndexes.map((index) => messages[index % messages.length])];
          const shuffled = fc.sample(fc.shuffledSubarray(delivered, { minLength: delivered.length }), { seed: shuffleSeed, numRuns: 1 })[0];
          for (const { projector, readModel } of projectors) {
            for (let start = 0; start < shuffled.length; start += batchSize) {
              const report = await projector.project(queueMessages(shuffled.slice(start, start + batchSize)));
              assert.deepEqual(report.batchItemFailures, []);
            }
            for (const events of histories) {
              const projection = projector === projectors[0].projector ? balances : lastTransaction;
              assert.deepEqual(await readModel.get(events[0].aggregateId), expectedRow(projection, events));
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("absorbs a stale or duplicate message as success without overwriting the newer row", async () => {
    const events = history("stale-acc", [
      { kind: "Credit", amount: 10 },
      { kind: "Credit", amount: 5 },
    ]);
    await seed(ledger, events);
    const [opened, first, second] = await dispatchAll(ledger, events);
    const { projector, readModel } = await projectorFor(ledger, balances);

    const newest = await projector.project(queueMessages([second]));
    const late = await projector.project(queueMessages([first, second, opened]));

    assert.equal(newest.written, 1);
    assert.deepEqual(
      { written: late.written, stale: late.stale, failures: late.batchItemFailures },
      { written: 0, stale: 3, failures: [] },
    );
    assert.deepEqual(await readModel.get("stale-acc"), { id: "stale-acc", version: 3, owner: "stale-acc", balance: 15 });
  });

  it("dead-letters malformed messages with their reason and reports only real errors for retry", async () => {
    const events = history("mixed", [{ kind: "Credit", amount: 1 }]);
    await seed(ledger, events);
    const [opened, credited] = await dispatchAll(ledger, events);
    const deadLetters = new InMemoryDeadLetters();
    const failing: ReadModelStore = {
      get: async () => undefined,
      putIfNewer: async (_id, version) => {
        if (version === 2) throw new Error("ProvisionedThroughputExceededException");
        return { written: true };
      },
    };
    const projector = new Projector({ projection: balances, readModel: failing, deadLetters });
    const [good, flaky] = queueMessages([opened, credited]);
    const noVersion = {
      messageId: "m-bad-1",
      body: JSON.stringify({ detail: { ...opened, event: { ...opened.event, version: undefined } } }),
    };
    const notJson = { messageId: "m-bad-2", body: "{oops" };

    const report = await projector.project([good, noVersion, flaky, notJson]);

    assert.deepEqual(report.batchItemFailures, [{ itemIdentifier: flaky.messageId }]);
    assert.equal(report.deadLettered, 2);
    assert.deepEqual(
      deadLetters.letters.map((letter) => [letter.origin, letter.reason]),
      [
        ["projector:balances", 'event of "mixed": version must be a positive integer, got undefined'],
        ["projector:balances", "message body is not JSON"],
      ],
    );
  });

  it("upcasts an aggregate of an older schema version before projecting it", async () => {
    const events = history("old-shape", [{ kind: "Credit", amount: 3 }]);
    await seed(ledger, events);
    const messages = await dispatchAll(ledger, events);
    const cents = defineProjection<{ owner: string; cents: number }>({
      name: "cents",
      eventTypes: ["Credited"],
      schemaVersion: 2,
      upcast: (state) => ({ owner: String((state as AccountState).owner), cents: (state as AccountState).balance * 100 }),
      project: ({ state }) => ({ cents: state.cents }),
    });
    const { projector, readModel } = await projectorFor(ledger, cents);
    await projector.project(queueMessages(messages));
    assert.deepEqual(await readModel.get("old-shape"), { id: "old-shape", version: 2, cents: 300 });
  });

  it("serves a read model row carrying the whole aggregate as a command's starting point, folding only the events after it", async () => {
    const events = history("rm-snap", [
      { kind: "Credit", amount: 30 },
      { kind: "Debit", amount: 5 },
    ]);
    await seed(ledger, events);
    const { projector, readModel } = await projectorFor(ledger, aggregateProjection("accounts-full", accounts));
    await projector.project(queueMessages(await dispatchAll(ledger, events)));
    await ledger.events.append(accountEvents("rm-snap", 4, 5));
    const loader = new AggregateLoader(accounts, ledger.events, new ReadModelSnapshotSource(readModel), { start: "sequential" });
    const before = ledger.requests.itemsRead(ledger.events.tableName);

    const loaded = await loader.load("rm-snap");

    assert.equal(
      ledger.requests.itemsRead(ledger.events.tableName) - before,
      3,
      "only versions 4 and 5 were read, with the row's own version 3 as proof",
    );
    assert.deepEqual(loaded, await new AggregateLoader(accounts, ledger.events).load("rm-snap"));
    assert.equal(
      await new ReadModelSnapshotSource(readModel).latest("rm-snap", 2),
      undefined,
      "a row newer than asked is no starting point",
    );
  });

  describe("replay", () => {
    it("rebuilds a wiped read model from the latest aggregate", async () => {
      const ids = ["r1", "r2", "r3"];
      const histories = ids.map((id, i) =>
        history(id, [
          { kind: "Credit", amount: 10 + i },
          { kind: "Debit", amount: 4 },
        ]),
      );
      for (const events of histories) await seed(ledger, events);
      const { projector, readModel, tableName } = await projectorFor(ledger, balances);
      await projector.project(queueMessages(await dispatchAll(ledger, histories.flat())));
      const before = await Promise.all(ids.map((id) => readModel.get(id)));
      for (const id of ids) await ledger.db.send(new DeleteCommand({ TableName: tableName, Key: { id } }));
      assert.deepEqual(await Promise.all(ids.map((id) => readModel.get(id))), [undefined, undefined, undefined]);

      const replays = await Promise.all(ids.map((id) => ledger.handler().replay(id)));
      const report = await projector.project(
        queueMessages(
          await dispatchAll(
            ledger,
            replays.flatMap((result) => result.events),
          ),
        ),
      );

      assert.equal(report.written, 3);
      const after = await Promise.all(ids.map((id) => readModel.get(id)));
      assert.deepEqual(
        after.map((row) => ({ ...row, version: undefined })),
        before.map((row) => ({ ...row, version: undefined })),
      );
      assert.deepEqual(
        after.map((row) => row?.version),
        [4, 4, 4],
        "the replay event's version guards the rebuilt row",
      );
      assert.deepEqual(
        (await ledger.loader.load("r1")).state,
        fold(accounts, emptyAggregate(accounts, "r1"), histories[0]).state,
        "reducers ignore replays",
      );
    });

    it("a replay targeted at one projector leaves the other projectors untouched", async () => {
      const events = history("target", [{ kind: "Credit", amount: 8 }]);
      await seed(ledger, events);
      const messages = await dispatchAll(ledger, events);
      const balanceProjector = await projectorFor(ledger, balances);
      const lastProjector = await projectorFor(ledger, lastTransaction);
      await balanceProjector.projector.project(queueMessages(messages));
      await lastProjector.projector.project(queueMessages(messages));

      const replay = await ledger.handler().replay("target", "balances");
      const replayMessages = await dispatchAll(ledger, replay.events);
      const toBalances = await balanceProjector.projector.project(queueMessages(replayMessages));
      const toLast = await lastProjector.projector.project(queueMessages(replayMessages));

      assert.equal(toBalances.written, 1);
      assert.deepEqual({ written: toLast.written, skipped: toLast.skipped }, { written: 0, skipped: 1 });
      assert.equal((await balanceProjector.readModel.get("target"))?.version, 3);
      assert.equal((await lastProjector.readModel.get("target"))?.version, 2);
    });
  });
});
