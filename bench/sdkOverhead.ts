/**
 * What one DynamoDB request costs this process in CPU, by how the client is built and used: the
 * document client (as the functions built theirs before), the low-level client on marshalled input, a client
 * built per request (what a handler constructing its clients inside the handler pays), the
 * middleware resolved once per command type (`cacheMiddleware`), and the floor: the same request's
 * bytes sent again with node's HTTP client (no SDK at all). The same GetItem of a small item, in
 * alternating rounds of one run; CPU is this process's user + system time per request
 * (process.cpuUsage: DynamoDB Local's own CPU is not in it), so it is what a Lambda's CPU pays.
 */
import { createHash } from "node:crypto";
import * as http from "node:http";
import { Readable } from "node:stream";
import { performance } from "node:perf_hooks";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { FUNCTION_CLIENT_CONFIG } from "../handlers/runtime/aws/clients";
import { DynamoDbEventStore } from "../handlers/runtime/aws/dynamoDbEventStore";
import { documentClient } from "../handlers/runtime/aws/documentClient";
import { DynamoDbEndpoint } from "../local/dynamodbLocal";
import { UNPOLLED_LEDGER_TABLE, createTable } from "../local/tables";
import { median } from "./stats";

const TABLE = "bench-sdk";
const KEY = { aggregateId: "sdk-item", version: 1 };
/** KEY as the low-level client sends it. */
const WIRE_KEY = { aggregateId: { S: KEY.aggregateId }, version: { N: String(KEY.version) } };
const REQUESTS = Number(process.env.BENCH_SDK_REQUESTS ?? 400);
const ROUNDS = Number(process.env.BENCH_SDK_ROUNDS ?? 5);

/** One way of sending the request: built once per round, then called REQUESTS times. */
interface Variant {
  label: string;
  prepare: () => Promise<() => Promise<unknown>>;
}

/** The signed request the SDK sends, as node's HTTP client can send it again. */
interface CapturedRequest {
  hostname: string;
  port: number;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

export async function sdkOverhead(config: DynamoDbEndpoint, out: (line?: string) => void): Promise<void> {
  const setup = new DynamoDBClient(config);
  await createTable(setup, TABLE, UNPOLLED_LEDGER_TABLE);
  const db = documentClient(setup);
  await db.send(new PutCommand({ TableName: TABLE, Item: { ...KEY, type: "Credited", payload: { amount: 1 }, commitId: "c" } }));
  const captured = await captureRequest(config);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  const variants: Variant[] = [
    {
      label: "document client (as the functions built theirs before)",
      prepare: async () => {
        const client = documentClient(config);
        return () => client.send(new GetCommand({ TableName: TABLE, Key: KEY, ConsistentRead: true }));
      },
    },
    {
      label: "low-level client, marshalled input",
      prepare: async () => {
        const client = new DynamoDBClient(config);
        return () => client.send(new GetItemCommand({ TableName: TABLE, Key: WIRE_KEY, ConsistentRead: true }));
      },
    },
    {
      label: "low-level client, marshalled input, cacheMiddleware (as the functions build theirs)",
      prepare: async () => {
        const client = new DynamoDBClient({ ...config, cacheMiddleware: true });
        return () => client.send(new GetItemCommand({ TableName: TABLE, Key: WIRE_KEY, ConsistentRead: true }));
      },
    },
    {
      label: "document client built for every request",
      prepare: async () => () => documentClient(config).send(new GetCommand({ TableName: TABLE, Key: KEY, ConsistentRead: true })),
    },
    {
      label: "floor: the same bytes, node's HTTP client, no SDK",
      prepare: async () => () => send(agent, captured),
    },
  ];

  const samples = new Map(variants.map((variant) => [variant.label, { cpu: [] as number[], latency: [] as number[] }]));
  for (let round = -1; round < ROUNDS; round += 1) {
    // The order turns every round, so no variant always runs on the warmest emulator.
    const order = variants.map((_, i) => variants[(i + Math.max(0, round)) % variants.length]);
    for (const variant of order) {
      const call = await variant.prepare();
      await call(); // a connection and the first resolution outside the measurement
      const times: number[] = [];
      const cpu = process.cpuUsage();
      for (let i = 0; i < REQUESTS; i += 1) {
        const start = performance.now();
        await call();
        times.push(performance.now() - start);
      }
      const used = process.cpuUsage(cpu);
      if (round < 0) continue; // warm-up round
      samples.get(variant.label)!.cpu.push((used.user + used.system) / REQUESTS);
      samples.get(variant.label)!.latency.push(median(times));
    }
  }
  agent.destroy();
  setup.destroy();

  const floor = median(samples.get(variants.at(-1)!.label)!.cpu);
  const reference = median(samples.get(variants[0].label)!.cpu);
  out(`### SDK overhead: CPU per DynamoDB request by how the client is built (${REQUESTS} GetItem × ${ROUNDS} rounds, medians)`);
  out();
  out("| client | CPU per request (µs) | vs the document client | above the floor (µs) | latency (ms) |");
  out("|---|---:|---:|---:|---:|");
  for (const variant of variants) {
    const { cpu, latency } = samples.get(variant.label)!;
    out(
      `| ${variant.label} | ${median(cpu).toFixed(0)} | ${(median(cpu) / reference).toFixed(2)}× | ${(median(cpu) - floor).toFixed(0)} | ${median(latency).toFixed(2)} |`,
    );
  }
  out();
  out(
    "CPU is this process's user and system time divided by the requests (DynamoDB Local runs in another process). The floor replays the bytes the SDK signed once, over one kept-alive socket: what any client must spend on the HTTP exchange itself. Above it is the SDK's own work per request: the middleware stack, endpoint resolution, signing, serialising and parsing, and the document client's marshalling.",
  );
}

/** A request handler that answers every request at once with the same body: the SDK's work alone, no socket. */
const answering = (body: string) => ({
  handle: async () => ({
    response: {
      statusCode: 200,
      reason: "OK",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "bench" },
      body: Readable.from([Buffer.from(body)]),
    },
  }),
  updateHttpClientConfig: () => {},
  httpHandlerConfigs: () => ({}),
});

const OFFLINE = { region: "us-east-1", credentials: { accessKeyId: "bench", secretAccessKey: "bench" } };

/**
 * The SDK's own CPU per call, by client and configuration, with the network taken out: every
 * request is answered at once by a handler in this process. For the calls the functions make most:
 * a ledger read (GetItem through the document client and the low-level one), a dispatcher's
 * PutEvents of 10 entries, a dead letter's SendMessage, and the ledger's append and read through
 * the document client (as before) and through the event store the functions build now.
 */
export async function sdkWorkAlone(out: (line?: string) => void): Promise<void> {
  const item = JSON.stringify({
    Item: { aggregateId: { S: "a" }, version: { N: "1" }, type: { S: "Credited" }, payload: { M: { amount: { N: "1" } } } },
  });
  const entries = Array.from({ length: 10 }, (_, i) => ({
    Source: "accounts",
    DetailType: "Credited",
    Detail: JSON.stringify({ i, state: { balance: i } }),
    EventBusName: "bus",
  }));
  const putEvents = JSON.stringify({ FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `e${i}` })) });
  const message = JSON.stringify({ reason: "bench", record: { aggregateId: "a", version: 1 } });
  const sent = JSON.stringify({ MessageId: "m", MD5OfMessageBody: createHash("md5").update(message).digest("hex") });
  const calls: { label: string; call: () => Promise<unknown> }[] = [];
  for (const cacheMiddleware of [false, true]) {
    const low = new DynamoDBClient({ ...OFFLINE, cacheMiddleware, requestHandler: answering(item) });
    const events = new EventBridgeClient({ ...OFFLINE, cacheMiddleware, requestHandler: answering(putEvents) });
    const queue = new SQSClient({ ...OFFLINE, cacheMiddleware, requestHandler: answering(sent) });
    const suffix = cacheMiddleware ? ", cacheMiddleware" : "";
    if (!cacheMiddleware) {
      const doc = documentClient({ ...OFFLINE, requestHandler: answering(item) });
      calls.push({
        label: "DynamoDB GetItem, document client (the functions' before)",
        call: () => doc.send(new GetCommand({ TableName: TABLE, Key: KEY })),
      });
    }
    calls.push({
      label: `DynamoDB GetItem, low-level client${suffix}`,
      call: () => low.send(new GetItemCommand({ TableName: TABLE, Key: WIRE_KEY })),
    });
    calls.push({
      label: `EventBridge PutEvents, 10 entries${suffix}`,
      call: () => events.send(new PutEventsCommand({ Entries: entries })),
    });
    calls.push({
      label: `SQS SendMessage${suffix}`,
      call: () => queue.send(new SendMessageCommand({ QueueUrl: "https://sqs.us-east-1.amazonaws.com/1/q", MessageBody: message })),
    });
  }
  calls.push(...ledgerCalls());
  const cpu = new Map(calls.map(({ label }) => [label, [] as number[]]));
  for (let round = -1; round < ROUNDS; round += 1) {
    for (const { label, call } of calls.map((_, i) => calls[(i + Math.max(0, round)) % calls.length])) {
      await call();
      const start = process.cpuUsage();
      for (let i = 0; i < REQUESTS * 2; i += 1) await call();
      const used = process.cpuUsage(start);
      if (round >= 0) cpu.get(label)!.push((used.user + used.system) / (REQUESTS * 2));
    }
  }
  out(`### SDK work alone: CPU per call with the network taken out (${REQUESTS * 2} calls × ${ROUNDS} rounds, medians)`);
  out();
  out("| call and client | CPU per call (µs) |");
  out("|---|---:|");
  for (const [label, samples] of cpu) out(`| ${label} | ${median(samples).toFixed(0)} |`);
  out();
  out(
    "Each request is answered at once by a request handler in this process, so the figure is the SDK's work per call: resolving the middleware (unless cached), endpoint resolution, signing, serialising the request and parsing the answer. `cacheMiddleware` resolves a client's middleware once per command type instead of per call; a document client refuses it, so the stores marshal their own items and the functions' DynamoDB client has it.",
  );
}

/** A ledger event as the command side writes it. */
const ledgerEvent = (version: number) => ({
  aggregateId: "acct-1",
  version,
  type: "Credited",
  payload: { amount: 12 },
  commitId: "0f1e2d3c-aaaa-bbbb-cccc-123456789abc",
  timestamp: "2026-12-01T00:00:00.000Z",
  schemaVersion: 1,
});

/**
 * The ledger's own two requests, an append (a conditional PutItem of one event that returns the
 * winner's on a refusal) and a read (a consistent Query answered with 5 events): through the
 * document client as the event store sent them before, and through the event store as the
 * functions build it now (its own marshalling, on a client with cacheMiddleware), side by side.
 */
function ledgerCalls(): { label: string; call: () => Promise<unknown> }[] {
  const answer = {
    put: "{}",
    query: JSON.stringify({ Count: 5, ScannedCount: 5, Items: [1, 2, 3, 4, 5].map((v) => marshall(ledgerEvent(v))) }),
  };
  const docPut = documentClient({ ...OFFLINE, requestHandler: answering(answer.put) });
  const docQuery = documentClient({ ...OFFLINE, requestHandler: answering(answer.query) });
  const store = (body: string) =>
    new DynamoDbEventStore(new DynamoDBClient({ ...OFFLINE, ...FUNCTION_CLIENT_CONFIG, requestHandler: answering(body) }), TABLE);
  const [appends, reads] = [store(answer.put), store(answer.query)];
  return [
    {
      label: "ledger append (PutItem of an event), document client (the event store before)",
      call: () =>
        docPut.send(
          new PutCommand({
            TableName: TABLE,
            Item: { ...ledgerEvent(7), commitId: "c" },
            ConditionExpression: "attribute_not_exists(#pk)",
            ExpressionAttributeNames: { "#pk": "aggregateId" },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        ),
    },
    {
      label: "ledger append, the event store as the functions build it",
      call: () => appends.append([ledgerEvent(7)], { predecessorsRead: true }),
    },
    {
      label: "ledger read (Query, 5 events), document client (the event store before)",
      call: () =>
        docQuery.send(
          new QueryCommand({
            TableName: TABLE,
            ConsistentRead: true,
            KeyConditionExpression: "#pk = :id AND #sk > :after",
            ExpressionAttributeNames: { "#pk": "aggregateId", "#sk": "version" },
            ExpressionAttributeValues: { ":id": "acct-1", ":after": 0 },
          }),
        ),
    },
    { label: "ledger read, the event store as the functions build it", call: () => reads.read("acct-1", 0) },
  ];
}

/** The first request a GetItem sends, captured after signing, without sending it. */
async function captureRequest(config: DynamoDbEndpoint): Promise<CapturedRequest> {
  const client = new DynamoDBClient(config);
  let captured: CapturedRequest | undefined;
  client.middlewareStack.add(
    () => async (args) => {
      const request = args.request as {
        hostname: string;
        port?: number;
        path: string;
        method: string;
        headers: Record<string, string>;
        body: string;
      };
      captured = {
        hostname: request.hostname,
        port: request.port ?? 80,
        path: request.path,
        method: request.method,
        headers: { ...request.headers },
        body: request.body,
      };
      throw new CaptureDone();
    },
    { step: "finalizeRequest", priority: "low", name: "captureRequest" },
  );
  await client.send(new GetItemCommand({ TableName: TABLE, Key: WIRE_KEY, ConsistentRead: true })).catch((error) => {
    if (!(error instanceof CaptureDone)) throw error;
  });
  client.destroy();
  if (!captured) throw new Error("the SDK sent no request to capture");
  return captured;
}

class CaptureDone extends Error {}

/** Sends a captured request again and reads the whole answer. */
function send(agent: http.Agent, request: CapturedRequest): Promise<string> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { agent, hostname: request.hostname, port: request.port, path: request.path, method: request.method, headers: request.headers },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`${response.statusCode}: ${body}`))));
      },
    );
    outgoing.on("error", reject);
    outgoing.end(request.body);
  });
}
