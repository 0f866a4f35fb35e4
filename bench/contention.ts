/**
 * Many writers on one aggregate: the same 384 commands issued by one writer one after another
 * (the serialized rate, at the default start and read-first), by 8 writers in one process (one
 * handler, serialized per aggregate) and by 8 or 16 independent handlers (as 8 or 16 Lambda
 * instances: no shared memory, only the ledger's condition orders them), with today's handler at
 * each start, with today's writing on every wake from a pause (as before it held on wake), and with
 * the earlier one (a frozen copy in the bench) in the rounds of one run, odd rounds in reverse
 * order; the same for transfers between two accounts (`executeMany`, one transaction), and again
 * with an AWS-like round trip before every request; and sustained runs of 8 times as many commands
 * beside a serialized writer of as many. Requests, write and read units per command beside the
 * floor, the time the aggregate waits between writers, the CPU of this process and the emulator.
 */
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { AccountCommand, AccountState, accounts } from "../examples/accounts/domain";
import { AggregateLoader } from "../handlers/runtime/ledger/aggregateLoader";
import { CommandHandler, CommandHandlerOptions } from "../handlers/runtime/command/commandHandler";
import { ContentionPacing } from "../handlers/runtime/command/contention";
import { CommandRejectedError, RetriesExhaustedError } from "../handlers/runtime/command/errors";
import { documentClient } from "../handlers/runtime/aws/documentClient";
import { RequestCounter } from "../local/instruments";
import { DynamoDbEndpoint } from "../local/dynamodbLocal";
import { DynamoDbEventStore } from "../handlers/runtime/aws/dynamoDbEventStore";
import { UNPOLLED_LEDGER_TABLE, createTable } from "../local/tables";
import { CapacityMeter } from "./capacityUnits";
import { EarlierCommandHandler } from "./earlierCommandHandler";
import { Random } from "../local/random";
import { CORES, cpuSince, emulatorPid } from "./machineCpu";

/** Commands per measured run: long enough that a run is mostly steady state, not its start and its last stragglers. */
const COMMANDS = 384;
/** Commands run first and not shown: DynamoDB Local's JIT warms over its first thousands of requests, and a cold emulator would slow the first round's rows. */
const WARM_UP_COMMANDS = 1_536;
/**
 * Commands per sustained run. In a run of `COMMANDS` a writer's share (24 or 48 commands, some
 * 50-100 ms on the emulator) is shorter than one waiter's pause, so the run is mostly handoffs to
 * waiters asleep, the last ones with few left to wake (a burst); here a share (192 or 384 commands)
 * is several pauses long, as under steady load.
 */
const SUSTAINED_COMMANDS = 3_072;
const SUSTAINED = (label: string) => `sustained, ${SUSTAINED_COMMANDS} commands: ${label}`;
const ROUNDS = Number(process.env.BENCH_CONTENTION_ROUNDS ?? 3);
const TABLE = "bench-hot-events";
const READ_FIRST: CommandHandlerOptions = { start: "read-first" };
/**
 * The round trip the "AWS round trip" rows add to every request, in ms, drawn uniformly between
 * these: DynamoDB answers a single-item request within single-digit milliseconds in the region.
 * On the emulator alone a command takes about 2 ms, so a handoff of the aggregate (idle until a
 * waiter wakes from its pause) is long against the run; with a network's wait between requests, as
 * on AWS, a command takes five times as long and the same handoff is short against it.
 */
const ROUND_TRIP_MS = [3, 7] as const;

const AT_ROUND_TRIP = (label: string) => `AWS round trip: ${label}`;

/** How a measured run differs from a plain one: the handler's options, transfers between two accounts, its length, the round trip added. */
interface Settings {
  readonly options?: CommandHandlerOptions;
  readonly transfers?: boolean;
  readonly commands?: number;
  readonly roundTrip?: boolean;
}

type Handler = Pick<CommandHandler<AccountState, AccountCommand>, "execute" | "executeMany">;
/** Today's handler, today's with every wake from a pause writing (as before it held on wake), or the frozen earlier one. */
type Version = "today" | "writes on every wake" | "earlier";

/** Today's pacing but for one thing: a command woken from its pause always writes, whether or not the writer it yielded to is still committing. */
class WritesOnEveryWake extends ContentionPacing {
  override afterWake(): number {
    return 0;
  }
}

interface Row {
  label: string;
  rates: number[];
  applied: number;
  gaveUp: number;
  attempts: number;
  requests: number;
  writeUnits: number;
  readUnits: number;
  commands: number;
  /** Time from one writer's commit to the next one's by another writer, summed over the runs, in ms. */
  betweenWritersMs: number;
  /** The runs' time, in ms. */
  runMs: number;
  /** Whether the writers had a handler each: only then does one hold the aggregate while others wait. */
  handlerEach: boolean;
  /** CPU of this process over the runs, in ms. */
  nodeCpuMs: number;
  /** CPU of the emulator's JVM over the runs, in ms; undefined where it cannot be read. */
  emulatorCpuMs?: number;
}

export async function contention(raw: DynamoDBClient, config: DynamoDbEndpoint, out: (line?: string) => void): Promise<void> {
  await createTable(raw, TABLE, UNPOLLED_LEDGER_TABLE);
  const requests = new RequestCounter();
  const meter = new CapacityMeter({ [TABLE]: UNPOLLED_LEDGER_TABLE });
  const counted = (client: DynamoDBClient) => documentClient(meter.watch(requests.watch(client), (table) => table));
  const near = new DynamoDBClient(config);
  const local = new DynamoDbEventStore(counted(near), TABLE);
  const distant = new DynamoDBClient(config);
  const random = new Random(26);
  distant.middlewareStack.add(
    (next) => async (args) => {
      await sleep(ROUND_TRIP_MS[0] + random.next() * (ROUND_TRIP_MS[1] - ROUND_TRIP_MS[0]));
      return next(args);
    },
    { step: "finalizeRequest", name: "benchRoundTrip" },
  );
  const overTheNetwork = new DynamoDbEventStore(counted(distant), TABLE);
  const emulator = emulatorPid(Number(new URL(config.endpoint).port));
  const handlerOf = (version: Version, options: CommandHandlerOptions = {}, roundTrip = false): Handler => {
    const events = roundTrip ? overTheNetwork : local;
    if (version === "earlier")
      return new EarlierCommandHandler<AccountState, AccountCommand>(new AggregateLoader(accounts, events), events, options) as Handler;
    const handler = new CommandHandler<AccountState, AccountCommand>(new AggregateLoader(accounts, events), events, options);
    // The handler's pacing is private and not an option: the bench swaps it in place for the comparison.
    return version === "today" ? handler : Object.assign(handler, { pacing: new WritesOnEveryWake() });
  };
  let run = 0;
  const rows = new Map<string, Row>();

  /** `writers` loops of commands, on one handler ("one") or a handler each ("each"); `transfers` moves money between two accounts. */
  const measure = async (
    label: string,
    version: Version,
    writers: number,
    processes: "one" | "each",
    { options = {}, transfers = false, commands = COMMANDS, roundTrip = false }: Settings = {},
  ) => {
    const [a, b] = [`hot-${++run}-a`, `hot-${run}-b`];
    for (const id of transfers ? [a, b] : [a]) {
      await handlerOf("today").execute(id, { kind: "Open", owner: id });
      await handlerOf("today").execute(id, { kind: "Credit", amount: 1_000_000 });
    }
    const shared = handlerOf(version, options, roundTrip);
    const handlers = Array.from({ length: writers }, () => (processes === "one" ? shared : handlerOf(version, options, roundTrip)));
    const tally = { applied: 0, gaveUp: 0, attempts: 0 };
    /** Each commit's version of the first account, its writer and when it answered: who held the aggregate when. */
    const commits: { version: number; writer: number; at: number }[] = [];
    requests.reset();
    const units = meter.total();
    const cpu = cpuSince(emulator);
    const start = performance.now();
    await Promise.all(
      handlers.map(async (handler, writer) => {
        for (let i = 0; i < commands / writers; i += 1) {
          try {
            const [from, to] = (writer + i) % 2 === 0 ? [a, b] : [b, a];
            const result = transfers
              ? await handler.executeMany([from, to], { kind: "Transfer", from, to, amount: 1 })
              : await handler.execute(a, i % 2 === 0 ? { kind: "Credit", amount: 2 } : { kind: "Debit", amount: 1 });
            tally.applied += 1;
            tally.attempts += result.attempts;
            const version = "aggregates" in result ? result.aggregates.get(a)!.version : result.aggregate.version;
            commits.push({ version, writer, at: performance.now() });
          } catch (error) {
            if (error instanceof RetriesExhaustedError) tally.gaveUp += 1;
            else if (!(error instanceof CommandRejectedError)) throw error;
          }
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const used = cpu();
    commits.sort((x, y) => x.version - y.version);
    let betweenWritersMs = 0;
    for (let i = 1; i < commits.length; i += 1)
      if (commits[i].writer !== commits[i - 1].writer) betweenWritersMs += Math.max(0, commits[i].at - commits[i - 1].at);
    const after = meter.total();
    const row = rows.get(label) ?? {
      label,
      rates: [],
      applied: 0,
      gaveUp: 0,
      attempts: 0,
      requests: 0,
      writeUnits: 0,
      readUnits: 0,
      commands: 0,
      betweenWritersMs: 0,
      runMs: 0,
      handlerEach: processes === "each" && writers > 1,
      nodeCpuMs: 0,
      emulatorCpuMs: 0,
    };
    rows.set(label, {
      ...row,
      rates: [...row.rates, tally.applied / seconds],
      applied: row.applied + tally.applied,
      gaveUp: row.gaveUp + tally.gaveUp,
      attempts: row.attempts + tally.attempts,
      requests: row.requests + requests.total,
      writeUnits: row.writeUnits + after.writeUnits - units.writeUnits,
      readUnits: row.readUnits + after.readUnits - units.readUnits,
      commands: row.commands + commands,
      betweenWritersMs: row.betweenWritersMs + betweenWritersMs,
      runMs: row.runMs + seconds * 1000,
      nodeCpuMs: row.nodeCpuMs + used.nodeMs,
      emulatorCpuMs: row.emulatorCpuMs === undefined || used.emulatorMs === undefined ? undefined : row.emulatorCpuMs + used.emulatorMs,
    });
  };

  await measure("warm-up (not shown)", "today", 8, "each", { commands: WARM_UP_COMMANDS });
  await measure("warm-up (not shown)", "earlier", 8, "each", { commands: WARM_UP_COMMANDS / 4 });
  await measure("warm-up (not shown)", "today", 8, "each", { transfers: true, commands: WARM_UP_COMMANDS / 4 });
  for (let round = 0; round < ROUNDS; round += 1) {
    const steps: Array<() => Promise<void>> = [
      () => measure("1 writer, one command after another", "today", 1, "one"),
      () => measure("1 writer, one command after another, start read-first", "today", 1, "one", { options: READ_FIRST }),
      () => measure("8 writers, one process", "today", 8, "one"),
    ];
    const sustained = { commands: SUSTAINED_COMMANDS };
    steps.push(() => measure(SUSTAINED("1 writer, one command after another"), "today", 1, "one", sustained));
    for (const writers of [8, 16])
      steps.push(() => measure(SUSTAINED(`${writers} writers, ${writers} processes, today`), "today", writers, "each", sustained));
    steps.push(() => measure(SUSTAINED("transfers: 1 writer, one after another"), "today", 1, "one", { ...sustained, transfers: true }));
    steps.push(() => measure(SUSTAINED("transfers: 8 writers, 8 processes, today"), "today", 8, "each", { ...sustained, transfers: true }));
    for (const writers of [8, 16]) {
      for (const version of ["today", "writes on every wake", "earlier"] as const) {
        steps.push(() => measure(`${writers} writers, ${writers} processes, ${version}`, version, writers, "each"));
      }
      steps.push(() =>
        measure(`${writers} writers, ${writers} processes, start read-first`, "today", writers, "each", { options: READ_FIRST }),
      );
      steps.push(() =>
        measure(`${writers} writers, ${writers} processes, start decide-first`, "today", writers, "each", {
          options: { start: "decide-first" },
        }),
      );
    }
    steps.push(() => measure("transfers: 1 writer, one after another", "today", 1, "one", { transfers: true }));
    steps.push(() =>
      measure("transfers: 1 writer, one after another, start read-first", "today", 1, "one", { options: READ_FIRST, transfers: true }),
    );
    for (const version of ["today", "writes on every wake", "earlier"] as const) {
      steps.push(() => measure(`transfers: 8 writers, 8 processes, ${version}`, version, 8, "each", { transfers: true }));
    }
    steps.push(() =>
      measure("transfers: 8 writers, 8 processes, start read-first", "today", 8, "each", { options: READ_FIRST, transfers: true }),
    );
    steps.push(() => measure(AT_ROUND_TRIP("1 writer, one command after another"), "today", 1, "one", { roundTrip: true }));
    steps.push(() =>
      measure(AT_ROUND_TRIP("1 writer, one command after another, start read-first"), "today", 1, "one", {
        options: READ_FIRST,
        roundTrip: true,
      }),
    );
    for (const writers of [8, 16]) {
      for (const version of ["today", "writes on every wake", "earlier"] as const) {
        steps.push(() =>
          measure(AT_ROUND_TRIP(`${writers} writers, ${writers} processes, ${version}`), version, writers, "each", { roundTrip: true }),
        );
      }
    }
    // Odd rounds run backwards, so no row (the serialized baselines above all) always meets the emulator at the same point of a round.
    for (const step of round % 2 === 0 ? steps : steps.reverse()) await step();
  }

  out(
    `### Contention: ${COMMANDS} commands on one aggregate (sustained rows ${SUSTAINED_COMMANDS}), ${ROUNDS} rounds (odd rounds in reverse order)`,
  );
  out();
  out(
    "| writers | committed/s (each round) | vs serialized | vs serialized read-first | gave up | attempts per command | requests per command | floor | WCU per command (floor 1; transfers 4) | RCU per command | between writers | CPU per command, ms: node + emulator | cores busy |",
  );
  out("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  const serial = rows.get("1 writer, one command after another")!;
  const serialReadFirst = rows.get("1 writer, one command after another, start read-first")!;
  const serialTransfers = rows.get("transfers: 1 writer, one after another")!;
  const serialTransfersReadFirst = rows.get("transfers: 1 writer, one after another, start read-first")!;
  const serialSustained = rows.get(SUSTAINED("1 writer, one command after another"))!;
  const serialTransfersSustained = rows.get(SUSTAINED("transfers: 1 writer, one after another"))!;
  const serialAtRoundTrip = rows.get(AT_ROUND_TRIP("1 writer, one command after another"))!;
  const serialReadFirstAtRoundTrip = rows.get(AT_ROUND_TRIP("1 writer, one command after another, start read-first"))!;
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
  for (const row of rows.values()) {
    if (row.label.startsWith("warm-up")) continue;
    const transfers = row.label.includes("transfers: ");
    const [baseline, readFirst] = row.label.startsWith(SUSTAINED(""))
      ? [transfers ? serialTransfersSustained : serialSustained, undefined]
      : transfers
        ? [serialTransfers, serialTransfersReadFirst]
        : row.label.startsWith(AT_ROUND_TRIP(""))
          ? [serialAtRoundTrip, serialReadFirstAtRoundTrip]
          : [serial, serialReadFirst];
    const per = (value: number) => (value / row.commands).toFixed(2);
    // A read before the write (read-first, the earlier handler), or the write alone on a memory.
    const reads = row.label.includes("read-first") || row.label.includes("earlier");
    const floor = reads ? (transfers ? 3 : 2) : 1;
    // Rates drift between rounds more than rows differ, so each round's rate is set against its own round's baseline.
    const ratio = (of: Row) => median(row.rates.map((rate, round) => rate / of.rates[round])).toFixed(2);
    const emulatorCpu = row.emulatorCpuMs === undefined ? "?" : (row.emulatorCpuMs / row.commands).toFixed(2);
    const busy =
      row.emulatorCpuMs === undefined
        ? "–"
        : `${((100 * (row.nodeCpuMs + row.emulatorCpuMs)) / (row.runMs * CORES)).toFixed(0)}% of ${CORES}`;
    out(
      `| ${row.label} | ${row.rates.map((rate) => rate.toFixed(0)).join(", ")} | ${ratio(baseline)}× | ${readFirst ? `${ratio(readFirst)}×` : "–"} | ${row.gaveUp} of ${row.commands} | ${(row.attempts / Math.max(1, row.applied)).toFixed(2)} | ${per(row.requests)} | ${floor} | ${per(row.writeUnits)} | ${per(row.readUnits)} | ${row.handlerEach ? `${((100 * row.betweenWritersMs) / row.runMs).toFixed(0)}%` : "–"} | ${(row.nodeCpuMs / row.commands).toFixed(2)} + ${emulatorCpu} | ${busy} |`,
    );
  }
  out();
  out(
    "Today's handler starts as by default (memory-first: deciding at once on what its own commit or a refusal's answer proved within the last second) unless a row says otherwise. Floor: the write alone on a memory (memory-first, decide-first), a read and a write per command (read-first, the earlier handler), a read of each account and one transaction per transfer read first. Units are DynamoDB's for these item sizes (bench/capacityUnits.ts): a write 1 WCU per KB, a transaction twice that per item (a transfer writes two events: 4 WCU), a refused write is charged as one; a consistent query 1 RCU per 4 KB. \"Writes on every wake\" is today's handler with a command woken from its pause always writing, as before it read again while the writer it yielded to was still committing. The earlier handler is a frozen copy of the one before conflicts carried the winner's event and before its pacing on hot aggregates. The ratios are each round's rate over the same round's serialized rate, the median of the rounds. The AWS round trip rows wait 3-7 ms (seeded) before each request is sent, as a network would, and compare with the serialized writer at that round trip; the sustained rows compare with the serialized writer of as many commands (no read-first beside it). Between writers: the time from a commit to the next one when another writer made it, summed, as a share of the run, where writers have a handler each: the aggregate handed over, waiting for a waiter to wake and take it (each such gap includes the new writer's own read and write). CPU per command: this process's (every simulated process and its SDK) and the emulator's JVM (its command line found in /proc; \"?\" where it is not), over the commands; cores busy: both over the run's time and the machine's cores. On AWS the emulator's share is DynamoDB's, not the caller's.",
  );
  near.destroy();
  distant.destroy();
}
