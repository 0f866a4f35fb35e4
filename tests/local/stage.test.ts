import * as assert from "node:assert/strict";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { AccountCommand, AccountState, accounts } from "../../examples/accounts/domain";
import { balances, lastTransaction } from "../../examples/accounts/projections";
import { recordId, StreamRecord } from "../../handlers/runtime/dispatch/streamRecords";
import { LocalQueue } from "../../local/localQueue";
import { MemoryDeadLetters } from "../../local/memoryDeadLetters";
import { LocalStage } from "../../local/stage";
import { StreamPoller } from "../../local/streamPoller";
import { accountEvents, bankLedger, seed } from "../support/ledgerFixture";
import { dynamoDbLocal } from "../support/rootHooks";

describe("local stage", () => {
  describe("StreamPoller on DynamoDB Local's real stream", () => {
    it("delivers every INSERT once in batches, and after a reported failure retries from the lowest failed record", async () => {
      const ledger = await bankLedger();
      await seed(ledger, accountEvents("s1", 1, 7));
      const streams = new DynamoDBStreamsClient((await dynamoDbLocal()).config);
      const seen: number[][] = [];
      let failedOnce = false;
      const poller = new StreamPoller(streams, ledger.streamArn!, async (records: StreamRecord[]) => {
        seen.push(records.map((record) => Number(record.dynamodb!.NewImage!.version.N)));
        const third = records.find((record) => record.dynamodb!.NewImage!.version.N === "3");
        if (third && !failedOnce) {
          failedOnce = true;
          return { batchItemFailures: [{ itemIdentifier: recordId(third) }] };
        }
        return { batchItemFailures: [] };
      }, new MemoryDeadLetters(), { batchSize: 5 });

      assert.equal(await poller.drain(), 7);

      assert.deepEqual(seen, [[1, 2, 3, 4, 5], [3, 4, 5], [6, 7]]);
      assert.equal(poller.stats.retries, 1);
      streams.destroy();
    });

    it("sends a record that keeps failing to the on-failure destination and moves on instead of blocking the shard", async () => {
      const ledger = await bankLedger();
      await seed(ledger, accountEvents("s2", 1, 4));
      const streams = new DynamoDBStreamsClient((await dynamoDbLocal()).config);
      const deadLetters = new MemoryDeadLetters();
      const delivered = new Set<number>();
      const poller = new StreamPoller(streams, ledger.streamArn!, async (records) => {
        const failures = records.filter((record) => record.dynamodb!.NewImage!.version.N === "2").map((record) => ({ itemIdentifier: recordId(record) }));
        records.forEach((record) => delivered.add(Number(record.dynamodb!.NewImage!.version.N)));
        return { batchItemFailures: failures };
      }, deadLetters, { maximumRetryAttempts: 2 });

      await poller.drain();

      assert.equal(deadLetters.letters.length, 1);
      assert.equal(((deadLetters.letters[0].input as StreamRecord).dynamodb!.NewImage!.version.N), "2");
      assert.deepEqual([...delivered].sort(), [1, 2, 3, 4]);
      streams.destroy();
    });
  });

  it("LocalQueue redelivers failed messages and moves them to its DLQ after maxReceiveCount", async () => {
    const deadLetters = new MemoryDeadLetters();
    const queue = new LocalQueue("q", deadLetters, 2);
    queue.send("a");
    for (let round = 0; round < 2; round += 1) {
      const batch = queue.receive(10);
      assert.equal(batch.length, 1);
      await queue.settle(batch, new Set([batch[0].messageId]));
    }
    assert.equal(queue.depth, 0);
    assert.equal(deadLetters.letters.length, 1);
    assert.match(deadLetters.letters[0].reason, /received 2 times/);
  });

  it("runs commands through stream, bus, chaotic queues and projectors to read models equal to the ledger", async function () {
    this.timeout(120_000);
    const stage = await LocalStage.start<AccountState, AccountCommand>({ serviceName: "t", domain: accounts, projections: [balances, lastTransaction], chaos: { seed: 3 }, snapshotEvery: 10 });
    try {
      for (const id of ["x", "y"]) await stage.commands.execute(id, { kind: "Open", owner: id });
      // Concurrent across accounts, sequential within one (contention has its own tests).
      await Promise.all(["x", "y"].map(async (id) => {
        for (let i = 1; i <= 30; i += 1) await stage.commands.execute(id, { kind: "Credit", amount: i });
      }));
      await stage.settle();
      for (const id of ["x", "y"]) {
        const ledger = await stage.commands.query(id);
        assert.deepEqual(await stage.projectors[0].readModel.get(id), { id, version: ledger.version, owner: id, balance: ledger.state.balance });
      }
      const [balanceQueue, lastQueue] = stage.projectors.map((p) => p.queue.stats);
      assert.ok(balanceQueue.duplicated + lastQueue.duplicated > 0 && balanceQueue.delayed > 0, "chaos really duplicated and delayed");
      assert.ok(stage.projectors[0].totals.stale > 0, "duplicates were absorbed by the version guard");
      assert.equal(stage.deadLetters.letters.length, 0);
      assert.equal((await stage.snapshots.latest("x"))?.version, 30, "the dispatcher took snapshots");
    } finally {
      await stage.stop();
    }
  });
});
