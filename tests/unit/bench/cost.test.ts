import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CapacityMeter, readUnits, writeUnits } from "../../../bench/capacityUnits";
import { FUNCTION_MEMORY_MB, billedMs, chunks, lineCost, pipelineCost, sqsRequests } from "../../../bench/cost";
import { LEDGER_TABLE, READ_MODEL_TABLE } from "../../../handlers/runtime/ledger/tableSchemas";
import { marshall } from "@aws-sdk/util-dynamodb";

describe("bench cost model", () => {
  it("rounds units as DynamoDB does: 1 KB a write unit, 4 KB a read unit, half for eventual reads", () => {
    assert.deepEqual([writeUnits(0), writeUnits(1024), writeUnits(1025)], [1, 1, 2]);
    assert.deepEqual([readUnits(100, true), readUnits(4097, true), readUnits(100, false)], [1, 2, 0.5]);
  });

  it("charges a transaction twice per item, a condition check at the size of the item it names, and a first event's index entry", () => {
    const meter = new CapacityMeter({ ledger: LEDGER_TABLE, rows: READ_MODEL_TABLE });
    const event = (version: number, extra: Record<string, unknown> = {}) => ({
      aggregateId: "a",
      version,
      type: "Credited",
      body: "x".repeat(1500),
      ...extra,
    });
    const first = meter.units("PutItem", { TableName: "ledger", Item: marshall(event(1, { aggregateBucket: 3 })) }, {}, false);
    const second = meter.units(
      "TransactWriteItems",
      {
        TransactItems: [
          { Put: { TableName: "ledger", Item: marshall(event(2)) } },
          { ConditionCheck: { TableName: "ledger", Key: marshall({ aggregateId: "a", version: 1 }) } },
        ],
      },
      {},
      false,
    );
    assert.equal(first[0].writeUnits, 2 + 1); // 1.5 KB, and the aggregate index's entry
    assert.equal(second[0].writeUnits, 2 * 2 + 2 * 2); // the put and the check of a 1.5 KB item, both transactional
  });

  it("sums a query's items before rounding, and rounds each item of a batch get", () => {
    const meter = new CapacityMeter({ rows: READ_MODEL_TABLE });
    const items = [
      { id: "a", body: "x".repeat(3000) },
      { id: "b", body: "x".repeat(3000) },
    ];
    const query = meter.units("Query", { TableName: "rows", ConsistentRead: true }, { Items: items }, true);
    const batch = meter.units("BatchGetItem", { RequestItems: { rows: { Keys: [{}, {}, {}] } } }, { Responses: { rows: items } }, true);
    assert.equal(query[0].readUnits, 2);
    assert.equal(batch[0].readUnits, 0.5 + 0.5 + 0.5); // two found, one missing, eventually consistent
  });

  it("bills Lambda in whole milliseconds and EventBridge and SQS per 64 KB chunk", () => {
    assert.equal(billedMs([0.2, 1.5, 3]), 1 + 2 + 3);
    assert.deepEqual([chunks(10), chunks(64 * 1024), chunks(64 * 1024 + 1)], [1, 1, 2]);
    // Two messages in one batch: a send each, one receive and one delete.
    assert.equal(sqsRequests([[1000, 1000]]), 4);
  });

  it("prices a pipeline per million commands and per million events", () => {
    const cost = pipelineCost({
      name: "one",
      commands: 2,
      events: 1,
      lines: [{ kind: "lambda", component: "f", invocations: 2, billedMs: 0, memoryMb: 128 }],
    });
    const line = lineCost({ kind: "lambda", component: "f", invocations: 2, billedMs: 0, memoryMb: 128 });
    assert.equal(cost.perMillionCommands, (line / 2) * 1e6);
    assert.equal(cost.perMillionEvents, line * 1e6);
    assert.equal(cost.perMillionCommands, 0.2); // $0.20 per million requests
  });

  it("prices each function at the memory its component defaults to", () => {
    const memoryOf = (file: string) => {
      const source = fs.readFileSync(path.join(__dirname, "../../../components", file), "utf8");
      const found = /defaults: \{ memorySize: (\d+)/.exec(source);
      assert.ok(found, `no defaults in components/${file}`);
      return Number(found[1]);
    };
    assert.deepEqual(
      { commandApi: memoryOf("commandApi.ts"), dispatcher: memoryOf("aggregateDispatcher.ts"), projector: memoryOf("projector.ts") },
      FUNCTION_MEMORY_MB,
    );
  });
});
