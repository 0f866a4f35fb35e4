import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { AccountCommand, AccountState, accounts } from "../../examples/accounts/domain";
import { balances, lastTransaction } from "../../examples/accounts/projections";
import { runChaos } from "../../local/chaos/harness";
import { LocalStage } from "../../local/stage";
import { dynamoDbLocal } from "../support/rootHooks";

/** Seeded runs in CI; CHAOS_RUNS=50 (say) for many more locally. A failure names its seed. */
const RUNS = Number(process.env.CHAOS_RUNS ?? 3);
let stageCounter = 0;

describe("fault injection over the whole pipeline (SDK faults, crashes, delivery chaos)", function () {
  this.timeout(600_000);

  it("keeps a gap-free ledger every caller's answer agrees with, and read models equal to its fold, on random seeds", async () => {
    const dynamo = await dynamoDbLocal();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
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
          assert.deepEqual(report.problems, [], `seed ${seed}: ${report.problems.length} broken invariants`);
          assert.ok(stage.faults.total > 0, `seed ${seed}: faults were really injected`);
          assert.ok(report.outcomes.applied > 0);
        } finally {
          await stage.stop();
        }
      }),
      { numRuns: RUNS },
    );
  });
});
