/**
 * What the ledger's integrity guards cost per command, measured side by side on one table:
 * requests, items read, read and write capacity (DynamoDB Local reports ConsumedCapacity as
 * AWS does) and median latency, against a path without them (no commit id, no proof of the
 * snapshot's version), so what each guard costs is the difference.
 */
import { performance } from "node:perf_hooks";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { accounts } from "../examples/accounts/domain";
import { accountEvents, seedAccount } from "../examples/accounts/history";
import { AggregateLoader } from "../handlers/runtime/ledger/aggregateLoader";
import { CommandHandler } from "../handlers/runtime/command/commandHandler";
import { RequestCounter, countedDocumentClient } from "../local/instruments";
import { DynamoDbEventStore } from "../handlers/runtime/aws/dynamoDbEventStore";
import { DynamoDbSnapshotStore } from "../handlers/runtime/aws/dynamoDbSnapshotStore";
import { IDEMPOTENCY_TABLE, SNAPSHOT_TABLE } from "../handlers/runtime/ledger/tableSchemas";
import { DynamoDbEndpoint } from "../local/dynamodbLocal";
import { UNPOLLED_LEDGER_TABLE, createTable } from "../local/tables";
import { median } from "./stats";
import { NOTHING_REMEMBERED } from "./tables";

/** Capacity units consumed, summed from every answer (the bench asks each request to report it). */
class CapacityMeter {
  read = 0;
  write = 0;
  reset(): void {
    this.read = 0;
    this.write = 0;
  }
}

const WRITES = new Set(["PutItemCommand", "TransactWriteItemsCommand", "UpdateItemCommand", "DeleteItemCommand", "BatchWriteItemCommand"]);

function meteredClient(config: DynamoDbEndpoint, requests: RequestCounter, meter: CapacityMeter) {
  const db = countedDocumentClient(config, requests);
  db.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = "TOTAL";
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const entries = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as {
        CapacityUnits?: number;
        WriteCapacityUnits?: number;
        ReadCapacityUnits?: number;
      }[];
      const units = entries.map(
        (entry) =>
          (WRITES.has(String(context.commandName)) ? entry.WriteCapacityUnits : entry.ReadCapacityUnits) ?? entry.CapacityUnits ?? 0,
      );
      // DynamoDB Local reports a whole transaction's units once per table it touches: count them once.
      const total =
        context.commandName === "TransactWriteItemsCommand" ? Math.max(0, ...units) : units.reduce((sum, unit) => sum + unit, 0);
      if (WRITES.has(String(context.commandName))) meter.write += total;
      else meter.read += total;
      return result;
    },
    { step: "initialize", name: "capacityMeter" },
  );
  return db;
}

export async function integrityCosts(raw: DynamoDBClient, config: DynamoDbEndpoint, out: (line?: string) => void): Promise<void> {
  const requests = new RequestCounter();
  const meter = new CapacityMeter();
  const db = meteredClient(config, requests, meter);
  const tables = { events: "bench-guards-events", snapshots: "bench-guards-snapshots", keys: "bench-guards-keys" };
  await createTable(raw, tables.events, UNPOLLED_LEDGER_TABLE);
  await createTable(raw, tables.snapshots, SNAPSHOT_TABLE);
  await createTable(raw, tables.keys, IDEMPOTENCY_TABLE);
  const events = new DynamoDbEventStore(db, tables.events, { idempotencyTable: tables.keys });
  const snapshots = new DynamoDbSnapshotStore(db, tables.snapshots);
  const handler = new CommandHandler(new AggregateLoader(accounts, events, snapshots), events, NOTHING_REMEMBERED);
  const reps = 60;
  let keys = 0;

  /** An account 50 events past its snapshot at 100, as a command usually finds it. */
  const account = async (id: string) => {
    await seedAccount(events, snapshots, accountEvents(id, 1, 150), 100);
    return id;
  };
  const measure = async (label: string, floor: number, id: string, command: (id: string, i: number) => Promise<unknown>) => {
    await command(id, -1); // warm-up, not counted
    requests.reset();
    meter.reset();
    const itemsBefore = requests.itemsRead(events.tableName);
    const times: number[] = [];
    for (let i = 0; i < reps; i += 1) {
      const start = performance.now();
      await command(id, i);
      times.push(performance.now() - start);
    }
    const per = (value: number) => (value / reps).toFixed(2);
    const operations = [...requests.byOperation].map(([name, count]) => `${per(count).replace(/\.00$/, "")} ${name}`).join(" + ");
    out(
      `| ${label} | ${per(requests.total)} (${operations}) | ${floor} | ${per(requests.itemsRead(events.tableName) - itemsBefore)} | ${per(meter.read)} | ${per(meter.write)} | ${median(times).toFixed(1)} ms |`,
    );
  };

  out("### Integrity guards: cost per command (account 50 events past its snapshot, 60 commands each)");
  out();
  out("| path | requests | floor: requests | ledger items read | RCU | WCU | median latency |");
  out("|---|---|---:|---:|---:|---:|---:|");
  // Without the guards: snapshot query, a ledger query after the snapshot, a PutItem without commit id.
  await measure("without guards: no commit id, no proof of the snapshot's version", 2, await account("g-before"), async (id) => {
    const snapshot = await snapshots.latest(id);
    const read = await events.read(id, snapshot?.version ?? 0);
    const version = (snapshot?.version ?? 0) + read.length;
    await db.send(
      new PutCommand({
        TableName: tables.events,
        Item: { aggregateId: id, version: version + 1, type: "Credited", payload: { amount: 1 }, timestamp: new Date().toISOString() },
        ConditionExpression: "attribute_not_exists(aggregateId)",
      }),
    );
  });
  await measure("command: commit id + snapshot proof (default)", 2, await account("g-plain"), (id) =>
    handler.execute(id, { kind: "Credit", amount: 1 }),
  );
  await measure("command with an idempotency key (key in the same transaction)", 2, await account("g-key"), (id) =>
    handler.execute(id, { kind: "Credit", amount: 1 }, { idempotencyKey: `k-${++keys}` }),
  );
  const repeatId = await account("g-repeat");
  await handler.execute(repeatId, { kind: "Credit", amount: 1 }, { idempotencyKey: "repeat" });
  await measure("repeat of a key (answered from the record, nothing appended)", 2, repeatId, (id) =>
    handler.execute(id, { kind: "Credit", amount: 1 }, { idempotencyKey: "repeat" }),
  );
  const appendId = await account("g-append");
  let next = 151;
  await measure("raw append without a consistent read first (predecessor check)", 1, appendId, async (id) => {
    await events.append(accountEvents(id, next, next));
    next += 1;
  });
  const from = await account("g-from");
  const to = await account("g-to");
  await measure("transfer between two accounts (one transaction, both sides)", 3, from, () =>
    handler.executeMany([from, to], { kind: "Transfer", from, to, amount: 1 }),
  );
  out();
  out(
    "The floor: one read and the write per command (a repeat: the aggregate read and the request that finds the key), the write alone for a raw append, a read per account and one transaction for a transfer. A transaction costs 2 WCU per item written and per condition check (DynamoDB's pricing); the snapshot proof reads the snapshot's own version in the same consistent query.",
  );
  db.destroy();
}
