/**
 * Deciding first on the replica against the other ways a command starts, by aggregate size and by how far
 * the replica is behind, in one interleaved run: the fast path (decide on the replica, read the
 * ledger only after a conflict), the snapshot catch-up (snapshot, then the events after it), the
 * adaptive default, a plain full fold, and the CommandApi's handler remembering the aggregate
 * (catch-up, and decide), where "behind" means another instance wrote since its last command.
 */
import { performance } from "node:perf_hooks";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { AccountCommand, AccountState, accounts } from "../examples/accounts/domain";
import { accountEvents, seedAccount } from "../examples/accounts/history";
import { AggregateLoader } from "../handlers/runtime/ledger/aggregateLoader";
import { CommandHandler } from "../handlers/runtime/command/commandHandler";
import { RequestCounter } from "../local/instruments";
import { DynamoDbEventStore } from "../handlers/runtime/aws/dynamoDbEventStore";
import { DynamoDbSnapshotStore } from "../handlers/runtime/aws/dynamoDbSnapshotStore";
import { ReadModelSnapshotSource, aggregateProjection } from "../handlers/runtime/projection/readModelSnapshots";
import { DynamoDbReadModel } from "../handlers/runtime/aws/dynamoDbReadModel";
import { READ_MODEL_TABLE, SNAPSHOT_TABLE } from "../handlers/runtime/ledger/tableSchemas";
import { UNPOLLED_LEDGER_TABLE, createTable } from "../local/tables";
import { median, rotated } from "./stats";
import { NOTHING_REMEMBERED } from "./tables";

const PATHS = ["fast path", "replica + tail", "catch-up", "adaptive", "full fold", "remembered, catch-up", "remembered, decide"] as const;
const REMEMBERING: readonly Path[] = ["remembered, catch-up", "remembered, decide"];
type Path = (typeof PATHS)[number];

export async function fastPath(
  raw: DynamoDBClient,
  db: DynamoDBDocumentClient,
  requests: RequestCounter,
  out: (line?: string) => void,
): Promise<void> {
  await createTable(raw, "bench-fast-events", UNPOLLED_LEDGER_TABLE);
  await createTable(raw, "bench-fast-snapshots", SNAPSHOT_TABLE);
  await createTable(raw, "bench-fast-replica", READ_MODEL_TABLE);
  const events = new DynamoDbEventStore(db, "bench-fast-events");
  const snapshots = new DynamoDbSnapshotStore(db, "bench-fast-snapshots");
  const replicaTable = new DynamoDbReadModel(db, "bench-fast-replica");
  const replica = aggregateProjection<AccountState>("replica", accounts);
  const plain = new AggregateLoader(accounts, events);
  const handlers: Record<Path, CommandHandler<AccountState, AccountCommand>> = {
    "fast path": new CommandHandler(new AggregateLoader(accounts, events, new ReadModelSnapshotSource(replicaTable)), events, {
      start: "decide-first",
      ...NOTHING_REMEMBERED,
    }),
    // The replica row and the ledger's last 10 events read at once: never a refused write.
    "replica + tail": new CommandHandler(
      new AggregateLoader(accounts, events, new ReadModelSnapshotSource(replicaTable), { start: "parallel", tailSize: 10 }),
      events,
      NOTHING_REMEMBERED,
    ),
    "catch-up": new CommandHandler(new AggregateLoader(accounts, events, snapshots, { start: "sequential" }), events, NOTHING_REMEMBERED),
    adaptive: new CommandHandler(new AggregateLoader(accounts, events, snapshots), events, NOTHING_REMEMBERED),
    "full fold": new CommandHandler(plain, events, NOTHING_REMEMBERED),
    // The CommandApi's handler as a warm instance runs it: the replica start for what it does not remember.
    "remembered, catch-up": new CommandHandler(
      new AggregateLoader(accounts, events, new ReadModelSnapshotSource(replicaTable), { start: "parallel", tailSize: 10 }),
      events,
    ),
    "remembered, decide": new CommandHandler(
      new AggregateLoader(accounts, events, new ReadModelSnapshotSource(replicaTable), { start: "parallel", tailSize: 10 }),
      events,
      { start: "decide-first" },
    ),
  };
  const otherInstance = new CommandHandler(plain, events, NOTHING_REMEMBERED);
  out(
    "### Commands deciding first on the replica vs snapshot catch-up vs adaptive (default) vs full fold vs a handler remembering the aggregate (medians, interleaved)",
  );
  out();
  out(
    `| events | replica (memory) | ${PATHS.map((path) => `${path} latency | requests | items`).join(" | ")} | floor: requests | floor: items | fast / full fold | replica + tail / full fold | remembered, catch-up / replica + tail |`,
  );
  out(`|---:|---|${PATHS.map(() => "---:|---:|---:|").join("")}---:|---:|---:|---:|---:|`);
  for (const size of [100, 1_000, 10_000]) {
    for (const behind of [0, 3]) {
      const reps = size >= 10_000 ? 15 : 31;
      const idOf = (path: Path) => `f${size}-${behind}-${path.replace(" ", "")}`;
      for (const path of PATHS) await seedAccount(events, snapshots, accountEvents(idOf(path), 1, size), 100);
      const samples = Object.fromEntries(PATHS.map((path) => [path, { times: [] as number[], requests: 0, items: 0 }])) as Record<
        Path,
        { times: number[]; requests: number; items: number }
      >;
      for (let rep = -1; rep < reps; rep += 1) {
        for (const path of rotated(PATHS, rep)) {
          const id = idOf(path);
          // A remembering handler's memory `behind` versions back: another instance wrote since.
          if (REMEMBERING.includes(path))
            for (let i = 0; i < behind; i += 1) await otherInstance.execute(id, { kind: "Credit", amount: 1 });
          // The replica row where this case wants it: at the ledger's version, or `behind` versions back.
          const latest = await plain.load(id);
          const rowAt = await plain.load(id, latest.version - behind);
          await replicaTable.putIfNewer(id, rowAt.version, replica.project(rowAt, undefined as never) as Record<string, unknown>);
          requests.reset();
          const itemsBefore = requests.itemsRead(events.tableName);
          const start = performance.now();
          await handlers[path].execute(id, { kind: "Credit", amount: 1 });
          const elapsed = performance.now() - start;
          if (rep < 0) continue;
          samples[path].times.push(elapsed);
          samples[path].requests += requests.total;
          samples[path].items += requests.itemsRead(events.tableName) - itemsBefore;
        }
      }
      const result = (path: Path) => ({
        latency: median(samples[path].times),
        requests: samples[path].requests / reps,
        items: samples[path].items / reps,
      });
      const cells = (path: Path) =>
        `${result(path).latency.toFixed(2)} ms | ${result(path).requests.toFixed(1)} | ${result(path).items.toFixed(0)}`;
      const ratio = (a: Path, b: Path) => (result(a).latency / result(b).latency).toFixed(2);
      out(
        `| ${size.toLocaleString("en")} | ${behind === 0 ? "current" : `${behind} behind`} | ${PATHS.map(cells).join(" | ")} | 2 | ${behind} | ${ratio("fast path", "full fold")} | ${ratio("replica + tail", "full fold")} | ${ratio("remembered, catch-up", "replica + tail")} |`,
      );
    }
  }
  out();
  out(
    "Requests count the write; items are ledger events read. The floor is one read and the write, and the events the replica has not seen. The fast path's write on a current replica is a transaction (the event, and a check that the replica's version exists in the ledger): 1 read + 1 write. A replica 3 behind costs a refused write, then the 3 missing events (and the replica's own version, as proof), then the write. The replica row is read with ConsistentRead. The remembering handlers start every command but their first from what their previous command left; \"3 behind\" there means another instance appended 3 events in between: catch-up reads them (one query), decide has its write refused first.",
  );
}
