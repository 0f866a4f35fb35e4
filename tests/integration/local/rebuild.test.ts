import * as assert from "node:assert/strict";
import { AccountCommand, AccountState, accounts } from "../../../examples/accounts/domain";
import { balances, replica } from "../../../examples/accounts/projections";
import { forEachLimit } from "../../../handlers/runtime/support/concurrency";
import { indexedAggregateIds, countIndexedAggregates, scannedAggregateIds } from "../../../handlers/runtime/aws/aggregateIds";
import { CheckpointStore, ReplayCheckpoint, replayRun } from "../../../handlers/runtime/operations/replayRun";
import { LocalStage } from "../../../local/stage";
import { dynamoDbLocal } from "../../support/rootHooks";

const memoryCheckpoint = (): CheckpointStore & { saves: number } => {
  let stored: ReplayCheckpoint | undefined;
  return {
    saves: 0,
    async load() {
      return stored && JSON.parse(JSON.stringify(stored));
    },
    async save(checkpoint) {
      this.saves += 1;
      stored = JSON.parse(JSON.stringify(checkpoint));
    },
  };
};

describe("rebuilding a read model in production: replay every aggregate to one new projector (local stage)", function () {
  this.timeout(300_000);
  const AGGREGATES = 2000;

  it("lists every aggregate from the sparse index, replays them to the new projector alone at a rate, resumes after a stop, and does nothing new when run again", async () => {
    // An emulator of its own: 2,000 aggregates on the one every suite shares, late in the run,
    // measured the shared emulator's accumulated tables, not the replay.
    const stage = await LocalStage.start<AccountState, AccountCommand>({
      serviceName: "rebuild",
      domain: accounts,
      projections: [balances],
    });
    try {
      const ids = Array.from({ length: AGGREGATES }, (_, i) => `r-${String(i).padStart(5, "0")}`);
      await forEachLimit(ids, 8, async (id) => {
        await stage.commands.execute(id, { kind: "Open", owner: id });
        await stage.commands.execute(id, { kind: "Credit", amount: 1 + (id.length % 7) });
      });
      await stage.settle();

      // The read model joins afterwards: it saw none of those events.
      const added = await stage.addProjector(replica);
      const balancesSent = stage.projectors[0].queue.stats.sent;
      const ledgerTable = stage.events.tableName;
      assert.equal(await countIndexedAggregates(stage.db, ledgerTable), AGGREGATES);
      assert.deepEqual(await scannedAggregateIds(stage.db, ledgerTable), ids, "the scan fallback finds the same ids");

      const checkpoint = memoryCheckpoint();
      const identity = { ledger: ledgerTable, target: replica.name, prefix: "", generation: "1" };
      const run = (signal?: AbortSignal, store: CheckpointStore = checkpoint) =>
        replayRun({
          run: identity,
          ids: (after) => indexedAggregateIds(stage.db, ledgerTable, { after }),
          replay: (id) => stage.commands.replay(id, replica.name, { idempotencyKey: `replay:${replica.name}:1:${id}` }),
          ratePerSecond: 2000,
          workers: 8,
          checkpoint: store,
          signal,
        });

      // Stopped after about a third, as by Ctrl-C or a crash.
      const stop = new AbortController();
      let seen = 0;
      const firstRun = await replayRun({
        run: identity,
        ids: (after) => indexedAggregateIds(stage.db, ledgerTable, { after }),
        replay: async (id) => {
          if (++seen === 700) stop.abort();
          return stage.commands.replay(id, replica.name, { idempotencyKey: `replay:${replica.name}:1:${id}` });
        },
        ratePerSecond: 2000,
        workers: 8,
        checkpoint,
        signal: stop.signal,
      });
      assert.equal(firstRun.stopped, true);
      assert.ok(firstRun.replayed >= 700 && firstRun.replayed < AGGREGATES, `stopped midway (${firstRun.replayed})`);

      const resumed = await run();
      assert.equal(resumed.stopped, false);
      assert.deepEqual(resumed.failed, []);
      assert.equal(resumed.replayed, AGGREGATES, "every aggregate replayed once, across both runs");
      assert.ok(resumed.skipped < 16, `at most the ids in flight at the stop are asked twice (${resumed.skipped})`);

      // The same target and generation again, from scratch: every replay is answered by its key.
      const again = await run(undefined, memoryCheckpoint());
      assert.deepEqual([again.replayed, again.skipped], [0, AGGREGATES]);

      await stage.settle();
      for (const id of ids) {
        const aggregate = await stage.commands.query(id);
        const row = await added.readModel.get(id);
        assert.equal(row?.version, aggregate.version, id);
        assert.deepEqual(row?.state, aggregate.state, id);
      }
      assert.equal(stage.projectors[0].queue.stats.sent, balancesSent, "the other projector received no replay");
      assert.equal(stage.deadLetters.length, 0);
    } finally {
      await stage.stop();
    }
  });

  it("reads an aggregate as of any version through the public API (time travel)", async () => {
    const stage = await LocalStage.start<AccountState, AccountCommand>({
      serviceName: "travel",
      domain: accounts,
      projections: [],
      dynamo: await dynamoDbLocal(),
    });
    try {
      await stage.commands.execute("t", { kind: "Open", owner: "t" });
      for (const amount of [5, 7, 11]) await stage.commands.execute("t", { kind: "Credit", amount });
      const balancesAt = await Promise.all([1, 2, 3, 4].map(async (version) => (await stage.commands.query("t", version)).state.balance));
      assert.deepEqual(balancesAt, [0, 5, 12, 23]);
    } finally {
      await stage.stop();
    }
  });
});
