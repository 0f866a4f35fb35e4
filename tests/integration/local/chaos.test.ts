import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { AccountCommand, AccountState, accounts } from "../../../examples/accounts/domain";
import { balances, lastTransaction } from "../../../examples/accounts/projections";
import { runChaos } from "../../../local/chaos/harness";
import { FaultLog, injectSdkFaults } from "../../../local/chaos/sdkFaults";
import { LocalQueue } from "../../../local/localQueue";
import { Random } from "../../../local/random";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { documentClient } from "../../../handlers/runtime/aws/documentClient";
import { DynamoDbSnapshotStore } from "../../../handlers/runtime/aws/dynamoDbSnapshotStore";
import { SNAPSHOT_TABLE } from "../../../handlers/runtime/ledger/tableSchemas";
import { createTable } from "../../../local/tables";
import { toSnapshot } from "../../../handlers/runtime/ledger/snapshots";
import { uniqueTableName } from "../../support/rootHooks";
import { LocalStage } from "../../../local/stage";
import { dynamoDbLocal } from "../../support/rootHooks";
import { integerEnv } from "../../../handlers/runtime/support/environment";

/** Seeded runs in CI; CHAOS_RUNS=1000 (say) for many more locally. A failure names its seed. */
const RUNS = integerEnv("CHAOS_RUNS", 1) ?? 3;
/** CHAOS_SEED=n replays exactly the run a failure printed. */
const REPLAY = integerEnv("CHAOS_SEED", 1);
/**
 * The time one seeded run may take, in ms: a run takes 1–3 s on 2 cores, so this bounds a stuck
 * run, not a slow machine. The test's timeout follows the number of runs, so a campaign of any
 * size ends with its verdict, never with a timeout.
 */
const RUN_BUDGET_MS = integerEnv("CHAOS_RUN_BUDGET_MS", 1) ?? 30_000;
let stageCounter = 0;

describe("fault injection over the whole pipeline (SDK faults, crashes, delivery chaos)", function () {
  this.timeout(60_000 + (REPLAY === undefined ? RUNS : 1) * RUN_BUDGET_MS);

  it("keeps a gap-free ledger every caller's answer agrees with, and read models equal to its fold, on random seeds", async () => {
    const dynamo = await dynamoDbLocal();
    const run = async (seed: number) => {
      const stage = await LocalStage.start<AccountState, AccountCommand>({
        serviceName: `chaos${++stageCounter}`,
        domain: accounts,
        projections: [balances, lastTransaction],
        chaos: { seed },
        sdkChaos: { seed },
        snapshotEvery: 10,
        dynamo,
      });
      try {
        const report = await runChaos(stage, { aggregates: 4, commands: 80, concurrency: 4, seed });
        assert.deepEqual(
          report.problems,
          [],
          `seed ${seed} (replay: CHAOS_SEED=${seed} npx mocha tests/integration/local/chaos.test.ts): ${report.problems.slice(0, 5).join("; ")}`,
        );
        assert.ok(stage.faults.total > 0, `seed ${seed}: faults were really injected`);
        assert.ok(report.outcomes.applied > 0);
      } finally {
        await stage.stop();
      }
    };
    if (REPLAY !== undefined) return run(REPLAY);
    // A seed does not shrink into a simpler run: stop at the first failure and print it.
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), run), { numRuns: RUNS, endOnFailure: true });
  });

  describe("defects the harness found in its own models", () => {
    it("a partial BatchGetItem answer edits the parsed output, and the snapshot store asks again for the unprocessed keys", async () => {
      const client = new DynamoDBClient((await dynamoDbLocal()).config);
      const table = uniqueTableName("partial");
      await createTable(client, table, SNAPSHOT_TABLE);
      const faults = new FaultLog();
      injectSdkFaults(client, new Random(5), { lostAnswer: 0, throttle: 0, timeoutBefore: 0, serverError: 0, partialBatch: 1 }, faults);
      const store = new DynamoDbSnapshotStore(documentClient(client), table);
      const keys = Array.from({ length: 10 }, (_, i) => ({ aggregateId: `p${i}`, version: 100 }));
      for (const key of keys) await store.save(toSnapshot(accounts, { ...key, state: { opened: true, balance: 1 } }));

      const found = await store.getMany(keys);

      assert.ok(faults.byKind.partialBatch >= 2, "answered partially, then asked again");
      assert.ok(found.length > 0 && found.length <= 10);
      assert.ok(found.every((snapshot) => keys.some((key) => key.aggregateId === snapshot.aggregateId)));
      client.destroy();
    });

    it("a duplicated message counts its own receives: a chain of copies failing once is redelivered, not dead-lettered", async () => {
      const deadLetters = new LocalQueue("q-dlq");
      const queue = new LocalQueue("q", {
        redrive: { deadLetterQueue: deadLetters, maxReceiveCount: 2 },
        chaos: { random: new Random(1), duplicate: 1, delay: 0, reorder: false },
      });
      queue.send("m");
      let batch = queue.receive(1);
      for (let round = 0; round < 3; round += 1) {
        await queue.settle(batch, new Set());
        batch = queue.receive(1); // the next copy in the chain
      }
      await queue.settle(batch, new Set(batch.map((message) => message.messageId)));
      assert.equal(deadLetters.depth, 0);
    });
  });
});
