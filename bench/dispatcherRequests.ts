/**
 * What a dispatcher batch costs in DynamoDB reads, per event, beside the floor: one ledger query per
 * aggregate and one BatchGetItem per 100 aggregates old enough to have a snapshot. Young aggregates
 * (50 events of history, below the first snapshot) and old ones (110 events, snapshot at 100), in
 * batches of 100 and 1,000 records, with the snapshot prefetch (default) and with a snapshot query
 * per aggregate (what the prefetch saves), measured side by side.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { accounts } from "../examples/accounts/domain";
import { accountEvents, seedAccount } from "../examples/accounts/history";
import { AggregateLoader } from "../handlers/runtime/ledger/aggregateLoader";
import { DynamoDbEventStore } from "../handlers/runtime/aws/dynamoDbEventStore";
import { DynamoDbSnapshotStore } from "../handlers/runtime/aws/dynamoDbSnapshotStore";
import { Dispatcher } from "../handlers/runtime/dispatch/dispatcher";
import { InMemoryDeadLetters } from "../handlers/runtime/memory/deadLetters";
import { SNAPSHOT_TABLE } from "../handlers/runtime/ledger/tableSchemas";
import { RequestCounter } from "../local/instruments";
import { insertRecord } from "../local/streamPoller";
import { UNPOLLED_LEDGER_TABLE, createTable } from "../local/tables";
import { unmarshallImage } from "../handlers/runtime/aws/streamImages";

const READS = ["Query", "BatchGetItem", "GetItem"];

export interface DispatcherRequestRow {
  aggregates: number;
  batch: number;
  age: "young" | "old";
  prefetch: number;
  perAggregate: number;
  floor: number;
}

export async function dispatcherRequests(
  raw: DynamoDBClient,
  db: DynamoDBDocumentClient,
  requests: RequestCounter,
  out: (line?: string) => void,
  progress: (what: string) => void = () => {},
): Promise<DispatcherRequestRow[]> {
  out("### Dispatcher reads per event by batch shape: snapshot prefetch (default) vs a snapshot query per aggregate, beside the floor");
  out();
  out(
    "| records in batch | aggregates | aggregates are | prefetch: reads/event | query per aggregate: reads/event | floor: reads/event | prefetch / floor |",
  );
  out("|---:|---:|---|---:|---:|---:|---:|");
  const rows: DispatcherRequestRow[] = [];
  let table = 0;
  for (const batch of [100, 1_000]) {
    for (const aggregates of (process.env.BENCH_AGGREGATES ?? "1,10,100,300").split(",").map(Number)) {
      if (aggregates > batch) continue;
      for (const age of ["young", "old"] as const) {
        progress(`dispatcher reads: ${batch} records over ${aggregates} ${age} aggregates`);
        const results: Record<"prefetch" | "perAggregate", number> = { prefetch: 0, perAggregate: 0 };
        const name = `bench-dispatch-${++table}`;
        await createTable(raw, `${name}-events`, UNPOLLED_LEDGER_TABLE);
        await createTable(raw, `${name}-snapshots`, SNAPSHOT_TABLE);
        const events = new DynamoDbEventStore(db, `${name}-events`);
        const snapshots = new DynamoDbSnapshotStore(db, `${name}-snapshots`);
        // Young: 50 events before the batch (below the first snapshot at 100); old: 110 (the batch starts after the snapshot at 100).
        const history = age === "old" ? 110 : 50;
        const perAggregate = Math.floor(batch / aggregates);
        const records = [];
        for (let a = 0; a < aggregates; a += 1) {
          const all = accountEvents(`a${a}`, 1, history + perAggregate);
          await seedAccount(events, snapshots, all.slice(0, history), 100);
          for (let start = history; start < all.length; start += 98)
            await events.append(all.slice(start, Math.min(all.length, start + 98)));
          records.push(...all.slice(history).map((event) => ({ ...event })));
        }
        for (const mode of ["prefetch", "perAggregate"] as const) {
          const dispatcher = new Dispatcher({
            unmarshall: unmarshallImage,
            domain: accounts,
            loader: new AggregateLoader(accounts, events, snapshots),
            snapshots,
            snapshotEvery: 100,
            bus: { putEvents: async (entries) => entries.map(() => undefined) },
            deadLetters: new InMemoryDeadLetters(),
            source: "bench",
            prefetchSnapshots: mode === "prefetch",
          });
          requests.reset();
          const report = await dispatcher.dispatch(records.map((event, index) => insertRecord(event, String(index + 1).padStart(21, "0"))));
          if (report.batchItemFailures.length > 0) throw new Error(`dispatch failed ${report.batchItemFailures.length} records`);
          results[mode] = READS.reduce((sum, operation) => sum + (requests.byOperation.get(operation) ?? 0), 0) / records.length;
        }
        const size = records.length;
        const floor = (aggregates + (age === "old" ? Math.ceil(aggregates / 100) : 0)) / size;
        rows.push({ aggregates, batch: size, age, prefetch: results.prefetch, perAggregate: results.perAggregate, floor });
        out(
          `| ${size.toLocaleString("en")} | ${aggregates} | ${age} | ${results.prefetch.toFixed(3)} | ${results.perAggregate.toFixed(3)} | ${floor.toFixed(3)} | ${(results.prefetch / floor).toFixed(2)} |`,
        );
      }
    }
  }
  out();
  out(
    "Reads are Query, BatchGetItem and GetItem requests (snapshot writes excluded). Young: 50 events of history, so no snapshot can exist below the batch; old: 110 events of history, the batch starts after the snapshot at 100. Both strategies dispatch the same records from the same tables.",
  );
  return rows;
}
