/**
 * What a million commands and a million events cost on AWS: the local stage's workload (the one
 * the local-stage section drives, without delivery chaos) is run once with every DynamoDB request's
 * units metered (bench/capacityUnits.ts), every Lambda invocation timed, every PutEvents entry and
 * SQS message sized; the same commands then go through Castore 2.4 (bench/castore.ts) on the same
 * emulator; the floor is derived from the same run. The counts are priced with bench/prices.json.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import { AccountCommand, AccountState, accounts } from "../examples/accounts/domain";
import { balances, lastTransaction, replica } from "../examples/accounts/projections";
import { DEFAULT_START_POLICY } from "../handlers/runtime/ledger/conventions";
import { createCommandApiHandler } from "../handlers/commandApiHandler";
import { BusEntry, entrySize } from "../handlers/runtime/dispatch/batching";
import { IDEMPOTENCY_TABLE, LEDGER_TABLE, READ_MODEL_TABLE, SNAPSHOT_TABLE, TableSchema } from "../handlers/runtime/ledger/tableSchemas";
import { QueueMessage } from "../handlers/runtime/projection/projector";
import { DynamoDbLocal } from "../local/dynamodbLocal";
import { functionUrlEvent } from "../local/httpServer";
import { LocalStage, stageTables } from "../local/stage";
import { commandClient, runWorkload } from "../local/workload";
import { CapacityMeter, writeUnits } from "./capacityUnits";
import { SentCommand, castoreTables, castoreWorkload } from "./castore";
import pricesFile from "./prices.json";

export type PriceName = keyof typeof pricesFile.prices;
/** Dollars per one unit of a price of bench/prices.json. */
export const unitPrice = (name: PriceName): number => pricesFile.prices[name].usd / pricesFile.prices[name].per;

/**
 * Memory of each function in MB, the components' defaults (`defaults: { memorySize }` in
 * components/commandApi.ts, aggregateDispatcher.ts and projector.ts); every function is arm64
 * (components/handlerFunction.ts). A test holds these to the components' sources.
 */
export const FUNCTION_MEMORY_MB = { commandApi: 512, dispatcher: 512, projector: 256 } as const;
/** The smallest memory Lambda allows: the floor's functions. */
const FLOOR_MEMORY_MB = 128;

/**
 * Log bytes each invocation sends to CloudWatch. `platform`: the start and report lines Lambda
 * writes (JSON log format), estimated, since no run here sees them. `application`: a function's
 * INFO line and EMF metrics line, for the scale simulation; the cost section measures it on the
 * CommandApi instead (`commandApiLogBytes`, about 700).
 */
export const LOG_BYTES = { platform: 700, application: 700 } as const;

/** The context Lambda gives an invocation of a function: its log lines carry the function and the request id. */
function lambdaContext(functionName: string, memoryMb: number): Context {
  const unused = () => {
    throw new Error("the callback-style context methods are not used");
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2026/12/01/[$LATEST]${randomUUID().replace(/-/g, "")}`,
    getRemainingTimeInMillis: () => 29_000,
    done: unused,
    fail: unused,
    succeed: unused,
  };
}

/**
 * Counts what is written to standard output and standard error (CloudWatch Logs' input in Lambda)
 * while `run` goes, at the settings the components deploy (INFO lines and EMF metrics on), and
 * prints none of it; what went to standard error is printed if `run` fails.
 */
async function loggedBytes(run: () => Promise<void>): Promise<number> {
  const settings = { POWERTOOLS_METRICS_DISABLED: "false", POWERTOOLS_LOG_LEVEL: "INFO" } as const;
  const before = Object.fromEntries(Object.keys(settings).map((name) => [name, process.env[name]]));
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  const errors: string[] = [];
  let bytes = 0;
  Object.assign(process.env, settings);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      bytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.byteLength;
      if (stream === process.stderr) errors.push(String(chunk));
      (rest.find((arg) => typeof arg === "function") as ((error?: Error | null) => void) | undefined)?.(null);
      return true;
    }) as typeof stream.write;
  }
  try {
    await run();
    return bytes;
  } catch (error) {
    writes[1].call(process.stderr, errors.join(""));
    throw error;
  } finally {
    streams.forEach((stream, index) => (stream.write = writes[index]));
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** Commands the log probe sends. */
const LOG_PROBE_COMMANDS = 200;

/**
 * What the CommandApi's Lambda entry writes per invocation at its deployed settings, with a
 * Lambda context, in bytes: `LOG_PROBE_COMMANDS` commands one after another (Lambda runs one at a time per
 * instance) on accounts of their own in the stage's tables, the first of them a cold start.
 */
async function commandApiLogBytes(stage: LocalStage<AccountState, AccountCommand>, replicaTable: string): Promise<number> {
  const client = new DynamoDBClient(stage.dynamo.config);
  const handler = createCommandApiHandler(accounts, { dynamodb: client }, undefined, () => ({
    ledgerTable: stage.events.tableName,
    idempotencyTable: stageTables(stage.serviceName).idempotency,
    replicaTable,
    start: DEFAULT_START_POLICY,
  }));
  const functionName = `${stage.serviceName}-command-api`;
  try {
    const bytes = await loggedBytes(async () => {
      for (let i = 0; i < LOG_PROBE_COMMANDS; i += 1) {
        const id = `log-probe-${i % 10}`;
        const command: AccountCommand = i < 10 ? { kind: "Open", owner: id } : { kind: "Credit", amount: 1 };
        const event = functionUrlEvent(
          "POST",
          `/aggregates/${id}/commands`,
          { "content-type": "application/json" },
          JSON.stringify(command),
        );
        const answer = await handler(event, lambdaContext(functionName, FUNCTION_MEMORY_MB.commandApi));
        if (answer.statusCode !== 200) throw new Error(`the log probe's command answered ${answer.statusCode}: ${answer.body}`);
      }
    });
    return bytes / LOG_PROBE_COMMANDS;
  } finally {
    client.destroy();
  }
}

const CHUNK = 64 * 1024;
/** The 64 KB chunks EventBridge and SQS bill for a payload. */
export const chunks = (bytes: number): number => Math.max(1, Math.ceil(bytes / CHUNK));
/**
 * SQS requests of messages delivered in `batches` (bytes of each message): a SendMessage per
 * message (the rule's target), a ReceiveMessage and a DeleteMessageBatch per batch, each per 64 KB chunk.
 */
export const sqsRequests = (batches: readonly (readonly number[])[]): number =>
  batches.reduce((sum, batch) => sum + batch.reduce((s, bytes) => s + chunks(bytes), 0) + chunks(batch.reduce((s, b) => s + b, 0)) + 1, 0);

/** Lambda bills each invocation in whole milliseconds. */
export const billedMs = (durations: readonly number[]): number => durations.reduce((sum, ms) => sum + Math.max(1, Math.ceil(ms)), 0);

/** One line of a pipeline's bill: the counts of one component's use of one service. */
export type CostLine =
  | { kind: "lambda"; component: string; invocations: number; billedMs: number; memoryMb: number }
  | { kind: "dynamodb"; component: string; requests: number; writeUnits: number; readUnits: number }
  | { kind: "stream"; component: string }
  | { kind: "eventbridge"; component: string; calls: number; entryChunks: number }
  | { kind: "sqs"; component: string; requestChunks: number }
  | { kind: "s3"; component: string; puts: number }
  | { kind: "scheduler"; component: string; invocations: number }
  | { kind: "logs"; component: string; bytes: number };

export interface Pipeline {
  name: string;
  commands: number;
  events: number;
  lines: CostLine[];
}

/** The dollars of one line. */
export function lineCost(line: CostLine): number {
  switch (line.kind) {
    case "lambda":
      return (
        line.invocations * unitPrice("lambda.request") +
        (line.memoryMb / 1024) * (line.billedMs / 1000) * unitPrice("lambda.gbSecond.arm64")
      );
    case "dynamodb":
      return line.writeUnits * unitPrice("dynamodb.writeRequestUnit") + line.readUnits * unitPrice("dynamodb.readRequestUnit");
    case "stream":
      return 0; // GetRecords made by Lambda's event source mapping are not charged
    case "eventbridge":
      return line.entryChunks * unitPrice("eventbridge.customEvent");
    case "sqs":
      return line.requestChunks * unitPrice("sqs.standardRequest");
    case "s3":
      return line.puts * unitPrice("s3.putRequest");
    case "scheduler":
      return line.invocations * unitPrice("scheduler.invocation");
    case "logs":
      return (line.bytes / 1024 ** 3) * unitPrice("cloudwatch.logIngestionGb");
  }
}

/** The API calls of one line, or undefined where none is billed per call. */
function lineRequests(line: CostLine): number | undefined {
  switch (line.kind) {
    case "lambda":
    case "scheduler":
      return line.invocations;
    case "dynamodb":
      return line.requests;
    case "eventbridge":
      return line.calls;
    case "sqs":
      return line.requestChunks;
    case "s3":
      return line.puts;
    default:
      return undefined;
  }
}

const fixed = (value: number, digits = 2) => value.toFixed(digits);

/** What one line's units are, per command. */
function lineUnits(line: CostLine, commands: number): string {
  switch (line.kind) {
    case "lambda":
      return `${fixed(line.invocations / commands, 3)} invocations × ${line.memoryMb} MB × ${fixed(line.billedMs / Math.max(1, line.invocations), 1)} ms`;
    case "dynamodb":
      return `${fixed(line.writeUnits / commands)} WRU + ${fixed(line.readUnits / commands)} RRU`;
    case "stream":
      return "GetRecords by Lambda: free";
    case "eventbridge":
      return `${fixed(line.entryChunks / commands)} entries (64 KB chunks)`;
    case "sqs":
      return `${fixed(line.requestChunks / commands)} requests (64 KB chunks)`;
    case "s3":
      return `${fixed(line.puts / commands)} PUTs`;
    case "scheduler":
      return `${fixed(line.invocations / commands)} invocations`;
    case "logs":
      return `${fixed(line.bytes / commands, 0)} bytes (see below)`;
  }
}

/** A pipeline's dollars per million commands and per million events. */
export function pipelineCost(pipeline: Pipeline): { perMillionCommands: number; perMillionEvents: number } {
  const total = pipeline.lines.reduce((sum, line) => sum + lineCost(line), 0);
  return { perMillionCommands: (total / pipeline.commands) * 1e6, perMillionEvents: (total / pipeline.events) * 1e6 };
}

const dollars = (value: number) => `$${value < 10 ? value.toFixed(3) : value.toFixed(2)}`;

/** The markdown tables: every line of every pipeline, then the totals beside the floor's. */
export function costTables(pipelines: readonly Pipeline[]): string[] {
  const rows = [
    "| pipeline | component | requests per command | units per command | $ per million commands | $ per million events |",
    "|---|---|---:|---|---:|---:|",
  ];
  for (const pipeline of pipelines) {
    for (const line of pipeline.lines) {
      const usd = lineCost(line);
      const requests = lineRequests(line);
      rows.push(
        `| ${pipeline.name} | ${line.component} | ${requests === undefined ? "—" : fixed(requests / pipeline.commands)} | ${lineUnits(line, pipeline.commands)} | ${dollars((usd / pipeline.commands) * 1e6)} | ${dollars((usd / pipeline.events) * 1e6)} |`,
      );
    }
    const total = pipelineCost(pipeline);
    rows.push(`| ${pipeline.name} | **total** | | | **${dollars(total.perMillionCommands)}** | **${dollars(total.perMillionEvents)}** |`);
  }
  const floor = pipelineCost(pipelines[pipelines.length - 1]);
  rows.push("", "| pipeline | $ per million commands | $ per million events | × the floor |", "|---|---:|---:|---:|");
  for (const pipeline of pipelines) {
    const total = pipelineCost(pipeline);
    rows.push(
      `| ${pipeline.name} | ${dollars(total.perMillionCommands)} | ${dollars(total.perMillionEvents)} | ${fixed(total.perMillionEvents / floor.perMillionEvents)}× |`,
    );
  }
  return rows;
}

/** What one timed function did: each invocation's milliseconds and what it was given. */
interface Timed {
  durations: number[];
}

/**
 * Replaces `object[method]` by a version that times each call; the bench's view from outside, the
 * same objects still do the work.
 */
function timeCalls<T extends object, K extends keyof T>(object: T, method: K, each?: (args: unknown[]) => void): Timed {
  const timed: Timed = { durations: [] };
  const original = (object[method] as (...args: unknown[]) => Promise<unknown>).bind(object);
  object[method] = (async (...args: unknown[]) => {
    each?.(args);
    const started = performance.now();
    try {
      return await original(...args);
    } finally {
      timed.durations.push(performance.now() - started);
    }
  }) as T[K];
  return timed;
}

const COMMANDS = Number(process.env.BENCH_STAGE_EVENTS ?? 5_000);
const AGGREGATES = 200;
const CONCURRENCY = 4;

/**
 * `npm run bench`'s cost section: one run of ours and Castore's on one emulator, the floor from
 * ours, priced. Prints the tables and the assumptions they rest on.
 */
export async function costOfAMillion(out: (line?: string) => void, progress: (what: string) => void = () => undefined): Promise<void> {
  const projections = [balances, lastTransaction, replica];
  const dynamo = await DynamoDbLocal.start();
  const serviceName = "cost";
  try {
    progress("our pipeline");
    const stage = await LocalStage.start<AccountState, AccountCommand>({ serviceName, domain: accounts, projections, dynamo });
    const readModels = new Map(stage.projectors.map((local) => [local.tableName, local.projection.name]));
    const tables: Record<string, TableSchema> = {
      [stage.events.tableName]: LEDGER_TABLE,
      [stage.snapshots.tableName]: SNAPSHOT_TABLE,
      [stageTables(serviceName).idempotency]: IDEMPOTENCY_TABLE,
      ...Object.fromEntries([...readModels.keys()].map((table) => [table, READ_MODEL_TABLE])),
      ...castoreTables(projections),
    };
    const meter = new CapacityMeter(tables);
    // The stage's pipeline shares one client: projectors write read models, the dispatcher the rest.
    meter.watch(stage.db, (table) => (readModels.has(table) ? `projector|${table}` : `dispatcher|${table}`));
    // The CommandApi's client is made by serveCommandApi through the stage's request counter.
    const watch = stage.requests.watch.bind(stage.requests);
    stage.requests.watch = (client) => meter.watch(watch(client), (table) => `command|${table}`);
    const dispatcher = timeCalls(stage.dispatcher, "dispatch");
    const projectorCalls = stage.projectors.map((local) => {
      const bytes: number[][] = [];
      const timed = timeCalls(local.projector, "project", ([messages]) =>
        bytes.push((messages as QueueMessage[]).map((message) => Buffer.byteLength(message.body))),
      );
      return { local, timed, bytes };
    });
    const putEvents: BusEntry[][] = [];
    timeCalls(stage.bus, "putEvents", ([entries]) => putEvents.push([...(entries as BusEntry[])]));

    const sent: SentCommand[] = [];
    let events = 0;
    let applicationLogBytes = 0;
    const commandMs: number[] = [];
    try {
      // The deployed CommandApi's start (the stage's own command side decides first: it is the one writer).
      const client = commandClient(await stage.serveCommandApi(0, { replica: "replica", start: DEFAULT_START_POLICY }));
      const timedClient = {
        ...client,
        run: async (id: string, command: AccountCommand) => {
          sent.push({ id, command });
          const started = performance.now();
          await client.run(id, command);
          commandMs.push(performance.now() - started);
        },
      };
      await runWorkload(stage, timedClient, { events: COMMANDS, aggregates: AGGREGATES, seed: 42, concurrency: CONCURRENCY });
      await stage.settle();
      // Every accepted command of the accounts domain appends one event.
      events = client.counts.succeeded;
      // After the counts: its commands are not the workload's.
      applicationLogBytes = await commandApiLogBytes(stage, stage.projectors.find((local) => local.projection === replica)!.tableName);
    } finally {
      await stage.stop();
    }

    progress("Castore 2.4");
    const castore = await castoreWorkload(dynamo.config, meter, sent, projections, {
      // The workload opens and funds each account one command at a time before its random part.
      sequential: 2 * AGGREGATES,
      concurrency: CONCURRENCY,
    });

    const scope = (prefix: string) => meter.total((key) => key.startsWith(prefix));
    const dynamoLine = (component: string, prefix: string): CostLine => {
      const used = scope(prefix);
      return { kind: "dynamodb", component, requests: used.requests, writeUnits: used.writeUnits, readUnits: used.readUnits };
    };
    const ourInvocations =
      sent.length + dispatcher.durations.length + projectorCalls.reduce((sum, call) => sum + call.timed.durations.length, 0);
    const ours: Pipeline = {
      name: "ours",
      commands: sent.length,
      events,
      lines: [
        {
          kind: "lambda",
          component: "CommandApi function",
          invocations: sent.length,
          billedMs: billedMs(commandMs),
          memoryMb: FUNCTION_MEMORY_MB.commandApi,
        },
        dynamoLine("command side: ledger, idempotency, replica", "command|"),
        { kind: "stream", component: "ledger stream" },
        {
          kind: "lambda",
          component: "dispatcher function",
          invocations: dispatcher.durations.length,
          billedMs: billedMs(dispatcher.durations),
          memoryMb: FUNCTION_MEMORY_MB.dispatcher,
        },
        dynamoLine("dispatcher: ledger and snapshots", "dispatcher|"),
        {
          kind: "eventbridge",
          component: "PutEvents",
          calls: putEvents.length,
          entryChunks: putEvents.flat().reduce((sum, entry) => sum + chunks(entrySize(entry)), 0),
        },
        {
          kind: "sqs",
          component: `SQS: ${projections.length} projector queues (send, receive, delete)`,
          requestChunks: sqsRequests(projectorCalls.flatMap((call) => call.bytes)),
        },
        {
          kind: "lambda",
          component: `${projections.length} projector functions`,
          invocations: projectorCalls.reduce((sum, call) => sum + call.timed.durations.length, 0),
          billedMs: projectorCalls.reduce((sum, call) => sum + billedMs(call.timed.durations), 0),
          memoryMb: FUNCTION_MEMORY_MB.projector,
        },
        dynamoLine("projectors: read-model rows", "projector|"),
        // Every function writes an INFO line and an EMF line per invocation: the CommandApi's size stands for all.
        { kind: "logs", component: "CloudWatch Logs", bytes: ourInvocations * (LOG_BYTES.platform + applicationLogBytes) },
      ],
    };

    const castoreBatches = castore.consumers.reduce((sum, consumer) => sum + consumer.batchMs.length, 0);
    const castorePipeline: Pipeline = {
      name: "Castore 2.4",
      commands: castore.commands,
      events: castore.events,
      lines: [
        {
          kind: "lambda",
          component: "command function",
          invocations: castore.commands,
          billedMs: billedMs(castore.commandMs),
          memoryMb: FUNCTION_MEMORY_MB.commandApi,
        },
        dynamoLine("command: events table and its index", "castore:command"),
        {
          kind: "eventbridge",
          component: "PutEvents (from the command)",
          calls: castore.putEvents.length,
          entryChunks: castore.putEvents.reduce(
            (sum, entry) => sum + chunks(entrySize({ source: entry.Source!, detailType: entry.DetailType!, detail: entry.Detail! })),
            0,
          ),
        },
        {
          kind: "sqs",
          component: `SQS: ${projections.length} read-model queues (send, receive, delete)`,
          requestChunks: sqsRequests(castore.consumers.flatMap((consumer) => consumer.batches)),
        },
        {
          kind: "lambda",
          component: `${projections.length} read-model functions`,
          invocations: castoreBatches,
          billedMs: castore.consumers.reduce((sum, consumer) => sum + billedMs(consumer.batchMs), 0),
          memoryMb: FUNCTION_MEMORY_MB.projector,
        },
        dynamoLine("read models: rows (plain PutItem)", "castore:projector"),
        { kind: "logs", component: "CloudWatch Logs", bytes: (castore.commands + castoreBatches) * LOG_BYTES.platform },
      ],
    };

    // The floor: one write per event, one per read model per event it takes, nothing read; the
    // fewest Lambda requests (one per command, one per stream batch writing the rows), 1 ms each.
    const ledger = meter.total((key) => key === `command|${stage.events.tableName}`);
    const rows = meter.total((key) => key.startsWith("projector|"));
    // Ours writes only the newest of an aggregate's messages in a batch; the floor writes every one.
    const deliveries = projectorCalls.reduce((sum, call) => sum + call.bytes.flat().length, 0);
    const rowBytes = rows.bytesWritten / Math.max(1, rows.itemsWritten);
    const ledgerWrites = ledger.itemsWritten * writeUnits(ledger.bytesWritten / Math.max(1, ledger.itemsWritten));
    const floor: Pipeline = {
      name: "floor",
      commands: sent.length,
      events,
      lines: [
        { kind: "lambda", component: "command function", invocations: sent.length, billedMs: sent.length, memoryMb: FLOOR_MEMORY_MB },
        {
          kind: "dynamodb",
          component: "one PutItem per event",
          requests: events,
          writeUnits: (ledgerWrites / Math.max(1, ledger.itemsWritten)) * events,
          readUnits: 0,
        },
        { kind: "stream", component: "ledger stream" },
        {
          kind: "lambda",
          component: "stream function writing the rows",
          invocations: dispatcher.durations.length,
          billedMs: dispatcher.durations.length,
          memoryMb: FLOOR_MEMORY_MB,
        },
        {
          kind: "dynamodb",
          component: "one PutItem per read model per event",
          requests: deliveries,
          writeUnits: deliveries * writeUnits(rowBytes),
          readUnits: 0,
        },
      ],
    };

    out(`### Cost: a million commands and a million events through the whole pipeline (us-east-1, prices of ${pricesFile.taken})`);
    out();
    for (const line of costTables([ours, castorePipeline, floor])) out(line);
    out();
    const perEvent = (count: number) => fixed(count / Math.max(1, events));
    out(
      `Assumptions: one run of ${sent.length.toLocaleString("en")} commands (${events.toLocaleString("en")} events, ${AGGREGATES} accounts, ${CONCURRENCY} at a time, the local-stage workload without delivery chaos) through ours, the same commands through Castore 2.4 (${castore.retries} pushes went again after a conflict), ${projections.length} read models (${projections.map((p) => p.name).join(", ")}: ${perEvent(deliveries)} messages per event, of which ours wrote ${perEvent(rows.itemsWritten)} rows, the newest of each aggregate in a batch). ` +
        `Write and read units computed from the items' sizes as DynamoDB rounds them (1 WRU per KB, 1 RRU per 4 KB consistent, half eventual, ×2 in a transaction, +1 WRU per keys-only index entry). ` +
        `Lambda: arm64, the components' default memory (CommandApi ${FUNCTION_MEMORY_MB.commandApi} MB, dispatcher ${FUNCTION_MEMORY_MB.dispatcher} MB, projectors ${FUNCTION_MEMORY_MB.projector} MB; Castore's functions the same), each invocation billed in whole ms of its duration measured here on DynamoDB Local (ours: the CommandApi at the HTTP client, an upper bound), where a request takes less than on AWS; the floor's at ${FLOOR_MEMORY_MB} MB and 1 ms. ` +
        `EventBridge and SQS bill per 64 KB chunk; SQS: one send per message, one receive per batch of 10 and one DeleteMessageBatch per batch, no empty receives (Lambda's pollers also long-poll an idle queue, a fixed cost of a few hundred thousand requests a month per queue). ` +
        `Logs: ${LOG_BYTES.platform} bytes per invocation from the platform (estimated) for both; for ours also what the CommandApi's Lambda entry writes per invocation with a Lambda context at its deployed settings, ${applicationLogBytes.toFixed(0)} bytes (its INFO line and EMF metrics, measured over ${LOG_PROBE_COMMANDS} commands after the run), taken for every function (the dispatcher's and projectors' INFO lines carry their batch's counts: a lower bound). ` +
        `Free tiers, storage, the stream's reads by Lambda (free) and failed batches (an S3 PUT each, none here) are left out.`,
    );
  } finally {
    await dynamo.stop();
  }
}
