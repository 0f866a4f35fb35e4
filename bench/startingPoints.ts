/**
 * A command's cost by aggregate size for each way of finding its starting point, measured in one
 * interleaved run: the adaptive start (the default: whichever of the ledger's tail and the snapshot
 * first costs fewer read units, by what it has read so far), the parallel start (snapshot and tail
 * at once), the sequential start (snapshot, then the events after it) and a plain full fold.
 * Snapshots every 100 versions, as the dispatcher takes them. Latency, requests, ledger items and
 * read units (RCU, as DynamoDB would charge them) per command.
 */
import { performance } from "node:perf_hooks";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { accounts } from "../examples/accounts/domain";
import { accountEvents, seedAccount } from "../examples/accounts/history";
import { AggregateLoader } from "../handlers/runtime/ledger/aggregateLoader";
import { CommandHandler } from "../handlers/runtime/command/commandHandler";
import { RequestCounter } from "../local/instruments";
import { DynamoDbEventStore } from "../handlers/runtime/aws/dynamoDbEventStore";
import { DynamoDbSnapshotStore } from "../handlers/runtime/aws/dynamoDbSnapshotStore";
import { SNAPSHOT_TABLE } from "../handlers/runtime/ledger/tableSchemas";
import { UNPOLLED_LEDGER_TABLE, createTable } from "../local/tables";
import { CapacityMeter } from "./capacityUnits";
import { median, rotated } from "./stats";
import { NOTHING_REMEMBERED } from "./tables";

export const STRATEGIES = ["adaptive", "parallel", "sequential", "full fold"] as const;
export type Strategy = (typeof STRATEGIES)[number];
/** The full fold measured a second time in the same interleave (an A/A test): its spread is the noise. */
const MEASURED = [...STRATEGIES, "control"] as const;
type Measured = (typeof MEASURED)[number];

export interface StartingPointRow {
  size: number;
  results: Record<Strategy, { latency: number; requests: number; items: number; readUnits: number }>;
}

export async function startingPoints(
  raw: DynamoDBClient,
  db: DynamoDBDocumentClient,
  requests: RequestCounter,
  out: (line?: string) => void,
  sizes: readonly number[] = [0, 10, 50, 100, 199, 1_000, 10_000],
  progress: (what: string) => void = () => {},
): Promise<StartingPointRow[]> {
  await createTable(raw, "bench-start-events", UNPOLLED_LEDGER_TABLE);
  await createTable(raw, "bench-start-snapshots", SNAPSHOT_TABLE);
  const meter = new CapacityMeter({ "bench-start-events": UNPOLLED_LEDGER_TABLE, "bench-start-snapshots": SNAPSHOT_TABLE });
  meter.watch(db, (table) => table);
  const events = new DynamoDbEventStore(db, "bench-start-events");
  const snapshots = new DynamoDbSnapshotStore(db, "bench-start-snapshots");
  const handlers: Record<Measured, CommandHandler<unknown, unknown>> = {
    adaptive: new CommandHandler(new AggregateLoader(accounts, events, snapshots), events, NOTHING_REMEMBERED) as CommandHandler<
      unknown,
      unknown
    >,
    parallel: new CommandHandler(
      new AggregateLoader(accounts, events, snapshots, { start: "parallel" }),
      events,
      NOTHING_REMEMBERED,
    ) as CommandHandler<unknown, unknown>,
    sequential: new CommandHandler(
      new AggregateLoader(accounts, events, snapshots, { start: "sequential" }),
      events,
      NOTHING_REMEMBERED,
    ) as CommandHandler<unknown, unknown>,
    "full fold": new CommandHandler(new AggregateLoader(accounts, events), events, NOTHING_REMEMBERED) as CommandHandler<unknown, unknown>,
    control: new CommandHandler(new AggregateLoader(accounts, events), events, NOTHING_REMEMBERED) as CommandHandler<unknown, unknown>,
  };
  out(
    "### Commands by aggregate size: adaptive start (default) vs parallel vs sequential vs full fold (snapshot every 100; medians, interleaved)",
  );
  out();
  out(
    "| events before the command | adaptive latency | requests | items | RCU | parallel latency | requests | items | RCU | sequential latency | requests | items | RCU | full-fold latency | items | RCU | floor: requests | floor: items | adaptive / full fold | noise: full fold again / full fold |",
  );
  out("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  const rows: StartingPointRow[] = [];
  for (const size of sizes) {
    progress(`aggregates of ${size.toLocaleString("en")} events`);
    // Small aggregates: a fresh one per command, so every command sees exactly `size` events.
    // Large ones: one aggregate per strategy, growing by a few events over the run.
    const fresh = size < 1_000;
    const reps = size >= 10_000 ? 15 : fresh ? 81 : 31;
    const samples = Object.fromEntries(
      MEASURED.map((strategy) => [strategy, { times: [] as number[], requests: 0, items: 0, readUnits: 0 }]),
    ) as Record<Measured, { times: number[]; requests: number; items: number; readUnits: number }>;
    const idOf = (strategy: Measured, rep: number) => `s${size}-${strategy.replace(" ", "")}-${fresh ? rep : 0}`;
    // The floor: one read and the write; the events past the latest snapshot (seeded every 100).
    let floorItems = 0;
    for (const strategy of MEASURED) if (!fresh) await seedAccount(events, snapshots, accountEvents(idOf(strategy, 0), 1, size), 100);
    for (let rep = -1; rep < reps; rep += 1) {
      // The order turns every round, so no strategy always follows the heaviest one.
      for (const strategy of rotated(MEASURED, rep)) {
        const id = idOf(strategy, rep);
        if (fresh && size > 0) await seedAccount(events, snapshots, accountEvents(id, 1, size), 100);
        const command = size === 0 ? { kind: "Open", owner: "x" } : { kind: "Credit", amount: 1 };
        requests.reset();
        const itemsBefore = requests.itemsRead(events.tableName);
        const unitsBefore = meter.total().readUnits;
        const start = performance.now();
        await handlers[strategy].execute(id, command);
        const elapsed = performance.now() - start;
        if (rep < 0) continue; // warm-up round
        if (strategy === "adaptive") floorItems += (fresh ? size : size + 1 + rep) - Math.floor(size / 100) * 100;
        samples[strategy].times.push(elapsed);
        samples[strategy].requests += requests.total;
        samples[strategy].items += requests.itemsRead(events.tableName) - itemsBefore;
        samples[strategy].readUnits += meter.total().readUnits - unitsBefore;
      }
    }
    const results = Object.fromEntries(
      STRATEGIES.map((strategy) => [
        strategy,
        {
          latency: median(samples[strategy].times),
          requests: samples[strategy].requests / reps,
          items: samples[strategy].items / reps,
          readUnits: samples[strategy].readUnits / reps,
        },
      ]),
    ) as StartingPointRow["results"];
    rows.push({ size, results });
    const cells = (strategy: Strategy) =>
      `${results[strategy].latency.toFixed(2)} ms | ${results[strategy].requests.toFixed(1)} | ${results[strategy].items.toFixed(0)} | ${results[strategy].readUnits.toFixed(1)}`;
    const full = results["full fold"];
    out(
      `| ${size.toLocaleString("en")} | ${cells("adaptive")} | ${cells("parallel")} | ${cells("sequential")} | ${full.latency.toFixed(2)} ms | ${full.items.toFixed(0)} | ${full.readUnits.toFixed(1)} | 2 | ${(floorItems / reps).toFixed(0)} | ${(results.adaptive.latency / full.latency).toFixed(2)} | ${(median(samples.control.times) / full.latency).toFixed(2)} |`,
    );
  }
  db.middlewareStack.remove("capacityMeter");
  out();
  out(
    "Requests count the write; the floor is one read and the write, and the events past the latest snapshot (a snapshot start also reads the snapshot's own version, its proof). The full fold is measured twice in the same interleave; how far the second is from the first is the run's noise, the band within which a ratio to the full fold means no difference. Up to 199 events every command runs on a fresh aggregate (the loader has never seen it: the adaptive start goes by what the first loads before it would have cost, so it moves from the tail to the snapshot as the aggregates grow); at 1,000 and 10,000 one aggregate per strategy takes every command (the adaptive loader has seen it, and starts from its snapshot). RCU: the read units of the command's reads (the write excluded), 1 per 4 KB of a consistent query, half that for the eventually consistent snapshot read.",
  );
  return rows;
}
