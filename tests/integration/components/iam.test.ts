import { sqsEvent } from "../../support/lambdaEvents";
import * as assert from "node:assert/strict";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SQSClient } from "@aws-sdk/client-sqs";
import { accounts } from "../../../examples/accounts/domain";
import { balances, lastTransaction, replica } from "../../../examples/accounts/projections";
import { HttpApiEvent, createCommandApiHandler } from "../../../handlers/commandApiHandler";
import { seedAccount, accountEvents } from "../../../examples/accounts/history";
import { createDispatcherHandler } from "../../../handlers/dispatcherHandler";
import { createProjectorHandler } from "../../../handlers/projectorHandler";
import { AggregateLoader } from "../../../handlers/runtime/ledger/aggregateLoader";
import { DynamoDbReadModel } from "../../../handlers/runtime/aws/dynamoDbReadModel";
import { documentClient } from "../../../handlers/runtime/aws/documentClient";
import { DynamoDbEventStore } from "../../../handlers/runtime/aws/dynamoDbEventStore";
import { DynamoDbSnapshotStore } from "../../../handlers/runtime/aws/dynamoDbSnapshotStore";
import { matchesPattern } from "../../../local/eventPatternMatch";
import { Projection } from "../../../handlers/runtime/projection/projection";
import { IDEMPOTENCY_TABLE, READ_MODEL_TABLE, SNAPSHOT_TABLE, TableSchema } from "../../../handlers/runtime/ledger/tableSchemas";
import { insertRecord } from "../../../local/streamPoller";
import { UNPOLLED_LEDGER_TABLE, createTable } from "../../../local/tables";
import { ObservedCall, grantedLines, observeClient, permissionsOf } from "../../support/iam";
import { Registered, mockedStack, named, ofType } from "../../support/mockedStack";
import { dynamoDbLocal } from "../../support/rootHooks";

/** What Lambda's event source mappings do with the function's role: granted, but never sent by the handler. */
const MAPPING_PERMISSIONS = {
  stream: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
  queue: ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
};

/** Resolves the names a handler uses (table names, bus name, queue URLs) to the ARNs the policy names. */
function arnResolver(resources: Registered[]) {
  const arns = new Map<string, string>();
  for (const resource of resources) {
    if (resource.type === "aws:dynamodb/table:Table" || resource.type === "aws:cloudwatch/eventBus:EventBus")
      arns.set(`${resource.name}-physical`, resource.arn);
    if (resource.type === "aws:sqs/queue:Queue") arns.set(`https://sqs.local/${resource.name}`, resource.arn);
  }
  return (name: string): string => {
    const arn = arns.get(name);
    assert.ok(arn, `the handler called ${name}, which the stack does not create`);
    return arn;
  };
}

/** Creates on DynamoDB Local the tables a function's environment names, under those exact names. */
async function tablesFor(variables: Record<string, string>, schemas: Record<string, TableSchema>): Promise<void> {
  const client = new DynamoDBClient((await dynamoDbLocal()).config);
  for (const [variable, schema] of Object.entries(schemas))
    await createTable(client, variables[variable], schema).catch((error) => {
      if (error.name !== "ResourceInUseException") throw error;
    });
  client.destroy();
}

/** The function's environment set for the duration of `run`, as Lambda would set it. */
async function withEnvironment<T>(variables: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(variables).map((key) => [key, process.env[key]]));
  Object.assign(process.env, variables);
  try {
    return await run();
  } finally {
    for (const [key, value] of Object.entries(saved))
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
  }
}

const busAnswer = (operation: string, input: any) => {
  assert.equal(operation, "PutEvents");
  return { FailedEntryCount: 0, Entries: input.Entries.map((_: unknown, index: number) => ({ EventId: `event-${index}` })) };
};
const queueAnswer = (_operation: string, input: any) => ({
  Successful: (input.Entries ?? [input]).map((entry: { Id?: string }) => ({ Id: entry.Id, MessageId: "m" })),
  Failed: [],
});

/** Clients whose every call is recorded: DynamoDB on DynamoDB Local, EventBridge and SQS stubbed at client level. */
async function observedClients(calls: ObservedCall[]) {
  const dynamodb = new DynamoDBClient((await dynamoDbLocal()).config);
  const eventBridge = new EventBridgeClient({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  const sqs = new SQSClient({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  observeClient(dynamodb, "dynamodb", calls);
  observeClient(eventBridge, "events", calls, busAnswer);
  observeClient(sqs, "sqs", calls, queueAnswer);
  return { dynamodb, eventBridge, sqs };
}

/** Everything the calls needed, plus what the mapping needs, as "action resource" lines. */
function neededLines(calls: readonly ObservedCall[], arnOf: (name: string) => string, mapping: string[]): string[] {
  const lines = new Set(mapping);
  for (const call of calls) for (const { action, resource } of permissionsOf(call)) lines.add(`${action} ${arnOf(resource.name)}`);
  return [...lines].sort();
}

describe("IAM proven by observation: each function's policy grants exactly what its handler and event source mapping use", function () {
  this.timeout(180_000);
  let resources: Registered[];
  let arnOf: (name: string) => string;
  /** The dispatcher's published entries: the projectors' input. */
  const published: { DetailType: string; Source: string; Detail: string }[] = [];

  before(async () => {
    resources = await mockedStack();
    arnOf = arnResolver(resources);
  });

  it("dispatcher: reads the ledger, fetches, falls back for and writes snapshots, publishes, dead-letters; nothing more, nothing less", async () => {
    const variables = named("aws:lambda/function:Function", "accounts-dispatcher-function").inputs.environment.variables as Record<
      string,
      string
    >;
    await tablesFor(variables, { LEDGER_TABLE_NAME: UNPOLLED_LEDGER_TABLE, SNAPSHOT_TABLE_NAME: SNAPSHOT_TABLE });
    // The history is written by an unobserved client: only the handler's calls count.
    const seeding = documentClient((await dynamoDbLocal()).config);
    const events = new DynamoDbEventStore(seeding, variables.LEDGER_TABLE_NAME);
    const snapshots = new DynamoDbSnapshotStore(seeding, variables.SNAPSHOT_TABLE_NAME);
    const young = accountEvents("young", 1, 3);
    const old = accountEvents("old", 1, 130);
    const unsnapshotted = accountEvents("unsnapshotted", 1, 110);
    // An owner too large for the bus: its opening is dead-lettered (the event alone exceeds an
    // entry), the credit after it goes by reference to a snapshot (claim check).
    const big = accountEvents("big", 1, 2);
    big[0].payload = { owner: "x".repeat(270_000) };
    await seedAccount(events, snapshots, young);
    await seedAccount(events, snapshots, old, 100);
    await seedAccount(events, snapshots, unsnapshotted);
    await seedAccount(events, snapshots, big);
    const batch = [...young, ...old.slice(120), ...unsnapshotted.slice(100), ...big];
    const records = batch.map((event, index) => insertRecord({ ...event }, String(index + 1).padStart(21, "0"), `e${index}`));
    records.push(insertRecord({ aggregateId: "poison", version: "not a number" }, "999", "poison"));

    const calls: ObservedCall[] = [];
    const handler = createDispatcherHandler(accounts, await observedClients(calls));
    const response = await withEnvironment(variables, () => handler({ Records: records }));

    assert.deepEqual(response.batchItemFailures, []);
    const operations = new Set(calls.map((call) => call.operation));
    for (const expected of ["Query", "BatchGetItem", "PutItem", "PutEvents", "SendMessageBatch"])
      assert.ok(operations.has(expected), `the scenario made the handler call ${expected}`);
    published.push(...calls.filter((call) => call.operation === "PutEvents").flatMap((call) => call.input.Entries));

    const ledger = named("aws:dynamodb/table:Table", "accounts-ledger-events");
    const bucket = named("aws:s3/bucket:Bucket", "accounts-dispatcher-failed-batches");
    const mapping = [
      ...MAPPING_PERMISSIONS.stream.map((action) => `${action} ${ledger.arn}/stream/2026`),
      // The on-failure destination: the mapping writes a batch it gave up on with the function's role.
      `s3:PutObject ${bucket.arn}/*`,
      `s3:ListBucket ${bucket.arn}`,
    ];
    const policy = named("aws:iam/rolePolicy:RolePolicy", "accounts-dispatcher-policy").inputs.policy;
    assert.deepEqual(grantedLines(policy, ["OwnLogs"]), neededLines(calls, arnOf, mapping));
  });

  for (const [projection, component] of [
    [balances, "accounts-balances"],
    [lastTransaction, "accounts-last-transaction"],
    [replica, "accounts-replica"],
  ] as [Projection<unknown>, string][]) {
    it(`projector ${projection.name}: writes its read model, resolves claim checks, dead-letters poison; nothing more, nothing less`, async () => {
      assert.ok(published.length > 0, "runs after the dispatcher's test, on what it published");
      const variables = named("aws:lambda/function:Function", `${component}-function`).inputs.environment.variables as Record<
        string,
        string
      >;
      await tablesFor(variables, { READ_MODEL_TABLE_NAME: READ_MODEL_TABLE });
      const pattern = JSON.parse(named("aws:cloudwatch/eventRule:EventRule", `${component}-rule`).inputs.eventPattern);
      const envelopes = published
        .map((entry) => ({
          version: "0",
          id: "id",
          "detail-type": entry.DetailType,
          source: entry.Source,
          account: "123456789012",
          time: "2026-11-24T00:00:00Z",
          region: "us-east-1",
          resources: [],
          detail: JSON.parse(entry.Detail),
        }))
        .filter((envelope) => matchesPattern(pattern, envelope));
      const messages = [...envelopes, ...envelopes.slice(0, 3)].map((envelope, index) => ({
        messageId: `m${index}`,
        body: JSON.stringify(envelope),
      }));
      messages.push({ messageId: "poison", body: "{not json" });

      const calls: ObservedCall[] = [];
      const handler = createProjectorHandler(projection, await observedClients(calls));
      const response = await withEnvironment(variables, () => handler(sqsEvent(messages)));

      assert.deepEqual(response.batchItemFailures, []);
      const operations = new Set(calls.map((call) => call.operation));
      for (const expected of ["PutItem", "GetItem", "SendMessageBatch"])
        assert.ok(operations.has(expected), `the scenario made the handler call ${expected}`);
      const queue = named("aws:sqs/queue:Queue", `${component}-queue`);
      const mapping = MAPPING_PERMISSIONS.queue.map((action) => `${action} ${queue.arn}`);
      const policy = named("aws:iam/rolePolicy:RolePolicy", `${component}-policy`).inputs.policy;
      assert.deepEqual(grantedLines(policy, ["OwnLogs"]), neededLines(calls, arnOf, mapping));
    });
  }

  it("command API: commands from the replica and the ledger's tail, idempotency keys, transfers, consistent and eventual reads; nothing more, nothing less", async () => {
    const variables = named("aws:lambda/function:Function", "accounts-commands-function").inputs.environment.variables as Record<
      string,
      string
    >;
    await tablesFor(variables, {
      LEDGER_TABLE_NAME: UNPOLLED_LEDGER_TABLE,
      IDEMPOTENCY_TABLE_NAME: IDEMPOTENCY_TABLE,
      REPLICA_TABLE_NAME: READ_MODEL_TABLE,
    });
    const calls: ObservedCall[] = [];
    const handler = createCommandApiHandler(accounts, await observedClients(calls));
    const http = (
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
      query?: Record<string, string>,
    ): HttpApiEvent => ({
      rawPath: path,
      headers,
      queryStringParameters: query,
      body: body === undefined ? undefined : JSON.stringify(body),
      requestContext: { http: { method, path } },
    });
    const statuses: number[] = [];
    await withEnvironment(variables, async () => {
      statuses.push((await handler(http("POST", "/aggregates/iam-a/commands", { kind: "Open", owner: "a" }))).statusCode);
      statuses.push((await handler(http("POST", "/aggregates/iam-b/commands", { kind: "Open", owner: "b" }))).statusCode);
      // The replica's projector catches up on iam-a (written unobserved: another function's work).
      const unobserved = documentClient((await dynamoDbLocal()).config);
      const opened = await new AggregateLoader(accounts, new DynamoDbEventStore(unobserved, variables.LEDGER_TABLE_NAME)).load("iam-a");
      await new DynamoDbReadModel(unobserved, variables.REPLICA_TABLE_NAME).putIfNewer(
        "iam-a",
        opened.version,
        replica.project(opened, undefined as never) as Record<string, unknown>,
      );
      for (const event of [
        http("POST", "/aggregates/iam-a/commands", { kind: "Credit", amount: 9 }, { "idempotency-key": "iam-1" }),
        http("POST", "/aggregates/iam-a/commands", { kind: "Credit", amount: 9 }, { "idempotency-key": "iam-1" }),
        http("POST", "/aggregates/iam-a/commands", { kind: "Debit", amount: 1000 }),
        // Refused before its write (a balance past the largest safe integer): its key's record is read.
        http("POST", "/aggregates/iam-a/commands", { kind: "Credit", amount: 1e16 }, { "idempotency-key": "iam-2" }),
        http("POST", "/commands", {
          aggregateIds: ["iam-a", "iam-b"],
          command: { kind: "Transfer", from: "iam-a", to: "iam-b", amount: 2 },
        }),
        http("GET", "/aggregates/iam-a"),
        http("GET", "/aggregates/iam-a", undefined, {}, { consistency: "eventual" }),
      ])
        statuses.push((await handler(event)).statusCode);
    });
    assert.deepEqual(statuses, [200, 200, 200, 200, 409, 400, 200, 200, 200]);
    const operations = new Set(calls.map((call) => call.operation));
    for (const expected of ["GetItem", "PutItem", "TransactWriteItems", "Query"])
      assert.ok(operations.has(expected), `the scenario made the handler call ${expected}`);
    const policy = named("aws:iam/rolePolicy:RolePolicy", "accounts-commands-policy").inputs.policy;
    assert.deepEqual(grantedLines(policy, ["OwnLogs"]), neededLines(calls, arnOf, []));
  });

  it("observes every function the stack deploys", () => {
    const functions = ofType("aws:lambda/function:Function").filter((fn) => fn.name.startsWith("accounts-"));
    assert.deepEqual(functions.map((fn) => fn.name).sort(), [
      "accounts-balances-function",
      "accounts-commands-function",
      "accounts-dispatcher-function",
      "accounts-last-transaction-function",
      "accounts-replica-function",
    ]);
  });
});
