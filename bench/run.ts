/**
 * npm run bench [-- --write-docs]
 * Side-by-side figures on DynamoDB Local, measured in one run, each beside its floor: the
 * dispatcher's batched fold vs a fold per record and its reads by batch shape, the projector's
 * version guard, commands by aggregate size and starting point, the command API's starts,
 * contention on one aggregate, the integrity guards' cost, listing aggregates for a rebuild and the
 * local stage's whole pipeline with handlers that remember between invocations and without, and
 * what a million commands and a million events cost on AWS beside Castore and the floor, requests
 * per reaction, and the SDK's CPU per request by client configuration.
 * Prints markdown tables; --write-docs puts them into docs/performance.md and the charts beside it.
 */
import { reactionRequests } from "./reactions";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { accounts } from "../examples/accounts/domain";
import { accountEvents, seedAccount } from "../examples/accounts/history";
import { balances } from "../examples/accounts/projections";
import { AggregateLoader } from "../handlers/runtime/ledger/aggregateLoader";
import { Dispatcher } from "../handlers/runtime/dispatch/dispatcher";
import { Bus } from "../handlers/runtime/dispatch/publisher";
import { StreamRecord, parseRecord } from "../handlers/runtime/dispatch/streamRecords";
import { RequestCounter, countedDocumentClient } from "../local/instruments";
import { DynamoDbEventStore } from "../handlers/runtime/aws/dynamoDbEventStore";
import { DynamoDbSnapshotStore } from "../handlers/runtime/aws/dynamoDbSnapshotStore";
import { StateCarriedMessage } from "../handlers/runtime/messages/stateCarried";
import { Projector, QueueMessage } from "../handlers/runtime/projection/projector";
import { DynamoDbReadModel } from "../handlers/runtime/aws/dynamoDbReadModel";
import { ReadModelStore } from "../handlers/runtime/ledger/stores";
import { READ_MODEL_TABLE, SNAPSHOT_TABLE } from "../handlers/runtime/ledger/tableSchemas";
import { DynamoDbLocal } from "../local/dynamodbLocal";
import { processLifecycle } from "../local/lifecycle";
import { InMemoryDeadLetters } from "../handlers/runtime/memory/deadLetters";
import { Random } from "../local/random";
import { insertRecord } from "../local/streamPoller";
import { requirePrerequisites } from "../local/prerequisites";
import { UNPOLLED_LEDGER_TABLE, createTable } from "../local/tables";
import { integrityCosts } from "./integrity";
import { contention } from "./contention";
import { sdkOverhead, sdkWorkAlone } from "./sdkOverhead";
import { STRATEGIES, StartingPointRow, Strategy, startingPoints } from "./startingPoints";
import { DispatcherRequestRow, dispatcherRequests } from "./dispatcherRequests";
import { lineChart } from "./svgChart";
import { fastPath } from "./fastPath";
import { enumerationCost } from "./enumerate";
import { localStageThroughput } from "./localStage";
import { costOfAMillion } from "./cost";
import { unmarshallImage } from "../handlers/runtime/aws/streamImages";

process.env.LOG_LEVEL ??= "error";
// The functions' EMF metric lines are for CloudWatch; here they would only bury the output.
process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
const lines: string[] = [];
const out = (line = "") => {
  lines.push(line);
  process.stdout.write(line + "\n");
};
/** What the bench is measuring now: a line per section, and on a terminal a running status line. */
let section = 0;
const SECTIONS = 12;
const announce = (title: string) => {
  section += 1;
  process.stderr.write(`${process.stderr.isTTY ? "\r\x1b[K" : ""}[${section}/${SECTIONS}] ${title}\n`);
};
const progress = (what: string) => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K      ${what}`);
};
const ratio = (slow: number, fast: number) => `${(slow / fast).toFixed(1)}×`;

/** A bus that accepts everything at once: the dispatcher's own cost is what is measured. */
const nullBus: Bus = { putEvents: async (entries) => entries.map(() => undefined) };

let tables = 0;
/** A fresh events + snapshots table pair and the stores over them. */
async function ledgerStores(raw: DynamoDBClient, db: DynamoDBDocumentClient) {
  const name = `bench-${++tables}`;
  await createTable(raw, `${name}-events`, UNPOLLED_LEDGER_TABLE);
  await createTable(raw, `${name}-snapshots`, SNAPSHOT_TABLE);
  return { events: new DynamoDbEventStore(db, `${name}-events`), snapshots: new DynamoDbSnapshotStore(db, `${name}-snapshots`) };
}

const records = (events: ReturnType<typeof accountEvents>): StreamRecord[] =>
  events.map((event, i) => insertRecord({ ...event }, String(i)));

/** docs/performance.md's charts from this run's rows: file name and SVG text. */
function benchCharts(starts: StartingPointRow[], dispatcher: DispatcherRequestRow[]): Record<string, string> {
  const byStrategy = (value: (row: StartingPointRow, strategy: Strategy) => number) =>
    STRATEGIES.map((strategy) => ({ name: strategy, points: starts.map((row) => [row.size, value(row, strategy)] as const) }));
  const thousand = dispatcher.filter((row) => row.batch >= 900);
  const series = (name: string, age: "young" | "old", value: (row: DispatcherRequestRow) => number) => ({
    name,
    points: thousand.filter((row) => row.age === age).map((row) => [row.aggregates, value(row)] as const),
  });
  return {
    "bench-latency.svg": lineChart({
      title: "Command latency by aggregate size (median)",
      xLabel: "events before the command",
      yLabel: "ms",
      series: byStrategy((row, strategy) => row.results[strategy].latency),
    }),
    "bench-items.svg": lineChart({
      title: "Ledger items read per command by aggregate size",
      xLabel: "events before the command",
      yLabel: "items read",
      series: byStrategy((row, strategy) => row.results[strategy].items),
    }),
    "bench-dispatcher-reads.svg": lineChart({
      title: "Dispatcher reads per event, batches of 1,000 records",
      xLabel: "aggregates in the batch",
      yLabel: "reads per event",
      series: [
        series("prefetch, old", "old", (row) => row.prefetch),
        series("query each, old", "old", (row) => row.perAggregate),
        series("prefetch, young", "young", (row) => row.prefetch),
        series("query each, young", "young", (row) => row.perAggregate),
        series("floor, old", "old", (row) => row.floor),
      ],
    }),
  };
}

let charts: Record<string, string> = {};

async function main() {
  requirePrerequisites();
  const dynamo = await DynamoDbLocal.start();
  const raw = new DynamoDBClient(dynamo.config);
  const requests = new RequestCounter();
  const db = countedDocumentClient(dynamo.config, requests);
  try {
    // `--only integrity|starts|contention|fast` runs one of the newer sections alone.
    const only = process.argv[process.argv.indexOf("--only") + 1];
    if (process.argv.includes("--only")) {
      if (only === "integrity") return await integrityCosts(raw, dynamo.config, out);
      if (only === "starts") return void (await startingPoints(raw, db, requests, out));
      if (only === "contention") return await contention(raw, dynamo.config, out);
      if (only === "fast") return await fastPath(raw, db, requests, out);
      if (only === "enumerate") return await enumerationCost(raw, db, out);
      if (only === "dispatcher") return void (await dispatcherRequests(raw, db, requests, out, progress));
      if (only === "stage") return await localStageThroughput(out, progress);
      if (only === "cost") return await costOfAMillion(out, progress);
      if (only === "reactions") return void (await reactionRequests(raw, dynamo.config, out));
      if (only === "sdk") {
        await sdkOverhead(dynamo.config, out);
        out();
        return await sdkWorkAlone(out);
      }
      throw new Error(
        `--only takes integrity, starts, contention, fast, enumerate, dispatcher, stage, cost, reactions or sdk, got ${only}`,
      );
    }
    announce("dispatcher: batched fold vs a full fold per record");
    out(
      "### Dispatcher: batch of 100 events, per-aggregate fold from the snapshot vs a full fold per record (aggregates with 250 events of history)",
    );
    out();
    out(
      "| aggregates in batch | batched events/s | batched DynamoDB requests/event | floor: requests/event | per-record events/s | per-record requests/event | per-record items read/event | throughput ratio |",
    );
    out("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const aggregateCount of [1, 10, 100]) {
      progress(`${aggregateCount} aggregates in the batch`);
      const { events, snapshots } = await ledgerStores(raw, db);
      const perAggregate = 100 / aggregateCount;
      const batch: ReturnType<typeof accountEvents> = [];
      for (let a = 0; a < aggregateCount; a += 1) {
        const history = accountEvents(`d${aggregateCount}-${a}`, 1, 250 + perAggregate);
        await seedAccount(events, snapshots, history, 100);
        batch.push(...history.slice(250));
      }
      const batched = new Dispatcher({
        unmarshall: unmarshallImage,
        domain: accounts,
        loader: new AggregateLoader(accounts, events, snapshots),
        snapshots,
        snapshotEvery: 100,
        bus: nullBus,
        deadLetters: new InMemoryDeadLetters(),
        source: "bench",
      });
      const naiveLoader = new AggregateLoader(accounts, events);
      // The naive way: every record folds its aggregate from version 1 on its own.
      const perRecord = async (input: StreamRecord[]) => {
        const messages: StateCarriedMessage[] = [];
        for (const record of input) {
          const parsed = parseRecord(accounts, record, unmarshallImage);
          if (!parsed.ok) continue;
          const aggregate = await naiveLoader.load(parsed.event.aggregateId, parsed.event.version);
          messages.push({ schemaVersion: 1, event: parsed.event, aggregate: { version: aggregate.version, state: aggregate.state } });
        }
        await nullBus.putEvents(messages.map((m) => ({ source: "bench", detailType: m.event.type, detail: JSON.stringify(m) })));
      };
      const run = async (dispatch: (input: StreamRecord[]) => Promise<unknown>) => {
        const rounds = 5;
        await dispatch(records(batch)); // warm-up, not counted (this section runs first)
        requests.reset();
        const itemsBefore = requests.itemsRead(events.tableName);
        const start = performance.now();
        for (let i = 0; i < rounds; i += 1) await dispatch(records(batch));
        const seconds = (performance.now() - start) / 1000;
        return {
          rate: (rounds * batch.length) / seconds,
          requests: requests.total / (rounds * batch.length),
          items: (requests.itemsRead(events.tableName) - itemsBefore) / (rounds * batch.length),
        };
      };
      const fast = await run((input) => batched.dispatch(input));
      const slow = await run(perRecord);
      // One ledger query per aggregate, one BatchGetItem per 100 aggregates (all have snapshots),
      // and the snapshot write of every aggregate whose batch crosses a multiple of 100.
      const snapshotsDue = perAggregate >= 50 ? aggregateCount : 0;
      const floor = (aggregateCount + Math.ceil(aggregateCount / 100) + snapshotsDue) / batch.length;
      out(
        `| ${aggregateCount} | ${fast.rate.toFixed(0)} | ${fast.requests.toFixed(2)} | ${floor.toFixed(2)} | ${slow.rate.toFixed(0)} | ${slow.requests.toFixed(2)} | ${slow.items.toFixed(0)} | ${ratio(fast.rate, slow.rate)} |`,
      );
    }

    out();
    announce("projector: version guard under duplicates and disorder");
    out("### Projector: 2,000 messages over 100 aggregates, 25% duplicates, shuffled, batches of 10");
    out();
    out(
      "| write | messages/s | requests/message (floor 1: the write; 0 for a message known stale) | rows written | stale/duplicates absorbed | rows wrong after disorder |",
    );
    out("|---|---:|---:|---:|---:|---:|");
    const random = new Random(11);
    const latest = new Map<string, StateCarriedMessage>();
    const messages: StateCarriedMessage[] = [];
    for (let a = 0; a < 100; a += 1) {
      const history = accountEvents(`p-${a}`, 1, 16);
      let state = accounts.initialState();
      history.forEach((event) => {
        state = accounts.reduce(state, event);
        const message = { schemaVersion: 1, event, aggregate: { version: event.version, state } };
        messages.push(message);
        latest.set(event.aggregateId, message);
      });
    }
    const delivered = random.shuffle([...messages, ...messages.filter(() => random.chance(0.25))]).slice(0, 2_000);
    const asQueue = (list: StateCarriedMessage[]): QueueMessage[] =>
      list.map((detail, i) => ({ messageId: String(i), body: JSON.stringify({ detail }) }));
    for (const { guarded, remembered } of [
      { guarded: true, remembered: false },
      { guarded: false, remembered: false },
      { guarded: true, remembered: true },
    ]) {
      const table = `bench-rm-${guarded ? "guarded" : "plain"}${remembered ? "-remembered" : ""}`;
      await createTable(raw, table, READ_MODEL_TABLE);
      const guardedStore = new DynamoDbReadModel(db, table);
      // The baseline a projector without version guard would use: last write wins.
      const store: ReadModelStore = guarded
        ? guardedStore
        : {
            get: (id) => guardedStore.get(id),
            putIfNewer: async (id, version, row) => (
              await db.send(new PutCommand({ TableName: table, Item: { ...row, id, version } })),
              { written: true }
            ),
          };
      const projector = new Projector({
        projection: balances,
        readModel: store,
        deadLetters: new InMemoryDeadLetters(),
        rememberedVersions: remembered ? undefined : 0,
      });
      const queue = asQueue(delivered);
      let written = 0;
      let stale = 0;
      requests.reset();
      const start = performance.now();
      for (let i = 0; i < queue.length; i += 10) {
        const report = await projector.project(queue.slice(i, i + 10));
        written += report.written;
        stale += report.stale;
      }
      const rate = queue.length / ((performance.now() - start) / 1000);
      const perMessage = requests.total / queue.length;
      let wrong = 0;
      for (const [id, message] of latest) if ((await guardedStore.get(id))?.version !== message.event.version) wrong += 1;
      const label = !guarded
        ? "plain PutItem (no guard)"
        : remembered
          ? "version guard, row versions remembered (default)"
          : "conditional PutItem (version guard)";
      out(`| ${label} | ${rate.toFixed(0)} | ${perMessage.toFixed(2)} | ${written} | ${stale} | ${wrong} / 100 |`);
    }
    out();
    announce("dispatcher: reads per event by batch shape, beside the floor");
    const dispatcherRows = await dispatcherRequests(raw, db, requests, out, progress);
    out();
    announce("commands by aggregate size: adaptive, parallel, sequential start and full fold (0 to 10,000 events)");
    const startRows = await startingPoints(raw, db, requests, out, undefined, progress);
    out();
    announce("command API starts: read-first (replica and tail) vs decide-first (on the replica) vs full fold");
    await fastPath(raw, db, requests, out);
    out();
    announce("contention: writers on one hot aggregate");
    await contention(raw, dynamo.config, out);
    out();
    announce("integrity guards: cost per command");
    await integrityCosts(raw, dynamo.config, out);
    out();
    announce("rebuild: listing aggregates by index vs scan");
    await enumerationCost(raw, db, out);
    out();
    announce("local stage: the whole pipeline, handlers remembering vs remembering nothing");
    await localStageThroughput(out, progress);
    out();
    announce("cost: a million commands and events on AWS, ours vs Castore 2.4 vs the floor");
    await costOfAMillion(out, progress);
    announce("requests per reaction");
    await reactionRequests(raw, dynamo.config, out);
    out();
    announce("SDK overhead: CPU per request by client configuration, and the SDK's work alone");
    await sdkOverhead(dynamo.config, out);
    out();
    await sdkWorkAlone(out);
    out();
    charts = benchCharts(startRows, dispatcherRows);
    out("![Command latency by aggregate size](bench-latency.svg)");
    out();
    out("![Ledger items read per command by aggregate size](bench-items.svg)");
    out();
    out("![Dispatcher reads per event by aggregates in a batch](bench-dispatcher-reads.svg)");
    out();
    out(
      `Measured on DynamoDB Local (in-memory, loopback), ${new Date().toISOString().slice(0, 10)}; absolute times are the emulator's, ratios are the point.`,
    );
  } finally {
    raw.destroy();
    db.destroy();
    await dynamo.stop();
  }
  if (process.argv.includes("--write-docs")) {
    const docs = path.join(__dirname, "..", "docs");
    const page = path.join(docs, "performance.md");
    const text = fs.readFileSync(page, "utf8");
    const begin = "<!-- bench:start -->";
    const end = "<!-- bench:end -->";
    if (!text.includes(begin) || !text.includes(end)) throw new Error(`docs/performance.md has no ${begin} ... ${end} markers`);
    fs.writeFileSync(page, text.replace(new RegExp(`${begin}[\\s\\S]*${end}`), `${begin}\n${lines.join("\n")}\n${end}`));
    for (const [file, svg] of Object.entries(charts)) fs.writeFileSync(path.join(docs, file), svg);
    process.stdout.write("docs/performance.md updated\n");
  }
}

processLifecycle({ name: "bench" }).run(async () => {
  await main();
  return 0;
});
