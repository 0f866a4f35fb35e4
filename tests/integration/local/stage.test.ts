import * as assert from "node:assert/strict";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { AccountCommand, AccountState, accounts } from "../../../examples/accounts/domain";
import { balances, lastTransaction, replica } from "../../../examples/accounts/projections";
import { recordId, StreamRecord } from "../../../handlers/runtime/dispatch/streamRecords";
import { LocalQueue } from "../../../local/localQueue";
import { FailedBatchRecord, aggregatesOfFailedBatch } from "../../../handlers/runtime/operations/failedBatches";
import { LocalStage } from "../../../local/stage";
import { StreamPoller } from "../../../local/streamPoller";
import { accountEvents, bankLedger, seed } from "../../support/ledgerFixture";
import { dynamoDbLocal } from "../../support/rootHooks";

describe("local stage", () => {
  describe("StreamPoller on DynamoDB Local's real stream", () => {
    it("delivers every INSERT once in batches, and after a reported failure retries from the lowest failed record", async () => {
      const ledger = await bankLedger({ stream: true });
      await seed(ledger, accountEvents("s1", 1, 7));
      const streams = new DynamoDBStreamsClient((await dynamoDbLocal()).config);
      const seen: number[][] = [];
      let failedOnce = false;
      const poller = new StreamPoller(
        streams,
        ledger.streamArn!,
        async (records: StreamRecord[]) => {
          seen.push(records.map((record) => Number(record.dynamodb!.NewImage!.version.N)));
          const third = records.find((record) => record.dynamodb!.NewImage!.version.N === "3");
          if (third && !failedOnce) {
            failedOnce = true;
            return { batchItemFailures: [{ itemIdentifier: recordId(third) }] };
          }
          return { batchItemFailures: [] };
        },
        async () => assert.fail("nothing fails for good"),
        { batchSize: 5 },
      );

      assert.equal(await poller.drain(), 7);

      assert.deepEqual(seen, [
        [1, 2, 3, 4, 5],
        [3, 4, 5],
        [6, 7],
      ]);
      assert.equal(poller.stats.retries, 1);
      streams.destroy();
    });

    it("writes the rest of a batch that keeps failing, records included, to the on-failure destination as Lambda does to S3, and moves on", async () => {
      const ledger = await bankLedger({ stream: true });
      await seed(ledger, accountEvents("s2", 1, 4));
      await seed(ledger, accountEvents("s3", 1, 2));
      const streams = new DynamoDBStreamsClient((await dynamoDbLocal()).config);
      const failed: FailedBatchRecord[] = [];
      const delivered = new Set<number>();
      const poller = new StreamPoller(
        streams,
        ledger.streamArn!,
        async (records) => {
          const failures = records
            .filter((record) => record.dynamodb!.NewImage!.aggregateId.S === "s2" && record.dynamodb!.NewImage!.version.N === "2")
            .map((record) => ({ itemIdentifier: recordId(record) }));
          records.forEach((record) => delivered.add(Number(record.dynamodb!.NewImage!.version.N)));
          return { batchItemFailures: failures };
        },
        async (record) => void failed.push(record),
        { maximumRetryAttempts: 2, batchSize: 4 },
      );

      await poller.drain();

      assert.equal(failed.length, 1);
      assert.equal(failed[0].requestContext.condition, "RetryAttemptsExhausted");
      assert.equal(failed[0].DDBStreamBatchInfo.batchSize, 3, "from the failed record to the end of its batch");
      assert.deepEqual(aggregatesOfFailedBatch(failed[0]), ["s2"]);
      assert.deepEqual([...delivered].sort(), [1, 2, 3, 4], "the next batch (s3) was delivered: the shard moved on");
      streams.destroy();
    });

    it("bisects a batch whose invocation fails as the mapping does with bisectBatchOnFunctionError: the good records get through, only the poison one spends retries and is given up on", async () => {
      const ledger = await bankLedger({ stream: true });
      await seed(ledger, accountEvents("b1", 1, 8));
      const streams = new DynamoDBStreamsClient((await dynamoDbLocal()).config);
      const failed: FailedBatchRecord[] = [];
      const invocations: number[][] = [];
      const handled = new Set<number>();
      const version = (record: StreamRecord) => Number(record.dynamodb!.NewImage!.version.N);
      // A handler that throws for the whole batch when version 4 is in it, as an unexpected error does.
      const poller = new StreamPoller(
        streams,
        ledger.streamArn!,
        async (records) => {
          invocations.push(records.map(version));
          if (records.some((record) => version(record) === 4)) throw new Error("poison");
          records.forEach((record) => handled.add(version(record)));
          return { batchItemFailures: [] };
        },
        async (record) => void failed.push(record),
        { maximumRetryAttempts: 2, batchSize: 8 },
      );

      await poller.drain();

      assert.deepEqual([...handled].sort(), [1, 2, 3, 5, 6, 7, 8], "every record but the poison one was handled");
      assert.deepEqual(
        invocations,
        [[1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4], [1, 2], [3, 4], [3], [4], [4], [4], [5, 6, 7, 8]],
        "halves in stream order; the splits spent no retry, the lone record two",
      );
      assert.equal(failed.length, 1);
      assert.equal(failed[0].DDBStreamBatchInfo.batchSize, 1, "only the poison record went to the on-failure destination");
      assert.equal(failed[0].requestContext.approximateInvokeCount, 3);
      assert.deepEqual([poller.stats.bisections, poller.stats.retries, poller.stats.failedBatches], [3, 2, 1]);
      streams.destroy();
    });
  });

  it("LocalQueue redelivers failed messages and, at maxReceiveCount, its redrive policy moves the message as it is (body, attributes, id) to the DLQ, naming its source", async () => {
    const dlq = new LocalQueue("q-dlq");
    const queue = new LocalQueue("q", { redrive: { deadLetterQueue: dlq, maxReceiveCount: 2 } });
    const id = queue.send('{"detail":{}}', { trace: { dataType: "String", stringValue: "t-1" } });
    for (let round = 0; round < 2; round += 1) {
      const batch = queue.receive(10);
      assert.equal(batch.length, 1);
      await queue.settle(batch, new Set([batch[0].messageId]));
    }
    assert.equal(queue.depth, 0);
    assert.equal(queue.stats.deadLettered, 1);
    const [moved] = dlq.peek();
    assert.deepEqual(
      { ...moved, sentAt: undefined },
      {
        messageId: id,
        body: '{"detail":{}}',
        attributes: { trace: { dataType: "String", stringValue: "t-1" } },
        sourceQueueArn: queue.arn,
        sentAt: undefined,
      },
    );
  });

  for (const remember of [true, false])
    it(`runs commands through stream, bus, chaotic queues and projectors to read models equal to the ledger (${remember ? "handlers remembering" : "--baseline: handlers remembering nothing"})`, async function () {
      this.timeout(120_000);
      const stage = await LocalStage.start<AccountState, AccountCommand>({
        serviceName: "t",
        domain: accounts,
        projections: [balances, lastTransaction],
        chaos: { seed: 3 },
        snapshotEvery: 10,
        remember,
      });
      try {
        for (const id of ["x", "y"]) await stage.commands.execute(id, { kind: "Open", owner: id });
        // Concurrent across accounts, sequential within one (contention has its own tests).
        await Promise.all(
          ["x", "y"].map(async (id) => {
            for (let i = 1; i <= 30; i += 1) await stage.commands.execute(id, { kind: "Credit", amount: i });
          }),
        );
        await stage.settle();
        for (const id of ["x", "y"]) {
          const ledger = await stage.commands.query(id);
          assert.deepEqual(await stage.projectors[0].readModel.get(id), {
            id,
            version: ledger.version,
            owner: id,
            balance: ledger.state.balance,
          });
        }
        const [balanceQueue, lastQueue] = stage.projectors.map((p) => p.queue.stats);
        assert.ok(balanceQueue.duplicated + lastQueue.duplicated > 0 && balanceQueue.delayed > 0, "chaos really duplicated and delayed");
        assert.ok(stage.projectors[0].totals.stale > 0, "duplicates were absorbed by the version guard");
        assert.equal(stage.deadLetters.length, 0);
        assert.equal((await stage.snapshots.latest("x"))?.version, 30, "the dispatcher took snapshots");
      } finally {
        await stage.stop();
      }
    });

  it("loses nothing to a dispatcher outage that outlasts the mapping's retries: the failed batch keeps its records and one recovery makes every read model converge", async function () {
    this.timeout(120_000);
    const stage = await LocalStage.start<AccountState, AccountCommand>({
      serviceName: "outage",
      domain: accounts,
      projections: [balances, lastTransaction],
      snapshotEvery: 10,
    });
    try {
      for (const id of ["p", "q", "r"]) await stage.commands.execute(id, { kind: "Open", owner: id });
      await stage.settle();
      stage.bus.outage = true;
      for (const id of ["p", "q"]) await stage.commands.execute(id, { kind: "Credit", amount: 5 });
      await stage.settle();
      stage.bus.outage = false;
      await stage.commands.execute("r", { kind: "Credit", amount: 1 });
      await stage.settle();

      assert.ok(stage.failedBatches.length > 0, "the mapping gave up on the batch and wrote it to its destination");
      assert.equal((await stage.projectors[0].readModel.get("p"))?.balance, 0, "stale until recovered: no later event for p");
      const report = await stage.recoverFailedBatches();

      assert.deepEqual(report.replayed.sort(), ["p", "q"]);
      for (const local of stage.projectors)
        for (const id of ["p", "q", "r"]) {
          const aggregate = await stage.commands.query(id);
          const { id: _id, version, ...row } = (await local.readModel.get(id)) ?? {};
          assert.equal(version, aggregate.version, `${local.projection.name} ${id} at the ledger's version`);
          assert.deepEqual(
            Object.keys(row).length > 0 ? row : {},
            { ...(local.projection.project(aggregate, undefined as never) as object) },
            `${local.projection.name} ${id}`,
          );
        }
      assert.equal((await stage.projectors[0].readModel.get("p"))?.balance, 5);
      assert.equal(stage.failedBatches.length, 0);
    } finally {
      await stage.stop();
    }
  });

  it("serves the deployed CommandApi handler over HTTP: commands by POST, a resend under the same Idempotency-Key answered once, reads strong and eventual", async function () {
    this.timeout(120_000);
    const stage = await LocalStage.start<AccountState, AccountCommand>({
      serviceName: "http",
      domain: accounts,
      projections: [balances, replica],
    });
    try {
      const api = await stage.serveCommandApi();

      const body = async (response: Response | Promise<Response>): Promise<any> => (await response).json();
      const post = (id: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(`${api.url}/aggregates/${id}/commands`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify(body),
        });
      assert.equal((await post("h1", { kind: "Open", owner: "h" })).status, 200);
      const credit = (await (await post("h1", { kind: "Credit", amount: 40 }, { "Idempotency-Key": "h-credit" })).json()) as {
        commitId: string;
      };
      const resent = (await (await post("h1", { kind: "Credit", amount: 40 }, { "Idempotency-Key": "h-credit" })).json()) as {
        repeated: boolean;
        commitId: string;
      };
      assert.deepEqual([resent.repeated, resent.commitId], [true, credit.commitId]);
      const rejected = await post("h1", { kind: "Debit", amount: 41 });
      assert.deepEqual([rejected.status, (await body(rejected)).code], [409, "insufficient-funds"]);
      assert.equal((await body(fetch(`${api.url}/aggregates/h1`))).state.balance, 40);
      await stage.settle();
      const eventual = await body(fetch(`${api.url}/aggregates/h1?consistency=eventual`));
      assert.deepEqual([eventual.version, eventual.state.balance], [2, 40]);
      assert.equal((await fetch(`${api.url}/aggregates/h1`, { method: "DELETE" })).status, 405);
    } finally {
      await stage.stop();
    }
  });
});
