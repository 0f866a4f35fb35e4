import * as assert from "node:assert/strict";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { AccountState, accounts } from "../../../examples/accounts/domain";
import { HttpApiEvent, createCommandApiHandler } from "../../../handlers/commandApiHandler";
import { ENV } from "../../../handlers/runtime/ledger/conventions";
import { CommitOutcomeUnknownError } from "../../../handlers/runtime/ledger/errors";
import { RetriesExhaustedError } from "../../../handlers/runtime/command/errors";
import { commandRoutes } from "../../../handlers/runtime/command/httpRoutes";
import { dynamoDbCommandSide } from "../../../handlers/runtime/aws/factories";
import { aggregateProjection } from "../../../handlers/runtime/projection/readModelSnapshots";
import { BankLedger, bankLedger } from "../../support/ledgerFixture";
import { projectorFor } from "../../support/pipelineFixture";
import { dynamoDbLocal } from "../../support/rootHooks";

const replica = aggregateProjection<AccountState>("replica", accounts);

/** A function URL event (payload format 2.0) as Lambda delivers it. */
const request = (
  method: string,
  path: string,
  options: { body?: string; headers?: Record<string, string>; query?: Record<string, string>; base64?: boolean } = {},
): HttpApiEvent => ({
  rawPath: path,
  headers: { "content-type": "application/json", ...options.headers },
  queryStringParameters: options.query,
  body: options.body === undefined ? undefined : options.base64 ? Buffer.from(options.body).toString("base64") : options.body,
  isBase64Encoded: options.base64 === true,
  requestContext: { requestId: "req-1", http: { method, path } },
});

describe("CommandApi handler: HTTP in, commands and consistent reads out (DynamoDB Local)", function () {
  this.timeout(60_000);
  let ledger: BankLedger;
  let handler: ReturnType<typeof createCommandApiHandler>;
  let project: (id: string) => Promise<void>;
  const saved = { ...process.env };

  before(async () => {
    ledger = await bankLedger();
    const { readModel, tableName } = await projectorFor(ledger, replica);
    Object.assign(process.env, {
      [ENV.ledgerTable]: ledger.ledgerTable,
      [ENV.idempotencyTable]: ledger.idempotencyTable,
      [ENV.replicaTable]: tableName,
    });
    handler = createCommandApiHandler(accounts, { dynamodb: new DynamoDBClient((await dynamoDbLocal()).config) });
    project = async (id) => {
      const aggregate = await ledger.loader.load(id);
      await readModel.putIfNewer(id, aggregate.version, replica.project(aggregate, undefined as never) as Record<string, unknown>);
    };
  });
  after(() => {
    process.env = saved;
  });

  const send = async (event: HttpApiEvent) => {
    const response = await handler(event);
    return { ...response, json: JSON.parse(response.body) };
  };
  const command = (id: string, body: unknown, headers: Record<string, string> = {}) =>
    send(request("POST", `/aggregates/${encodeURIComponent(id)}/commands`, { body: JSON.stringify(body), headers }));

  /** The EMF lines (parsed) the handlers write to standard output while `run` goes, metrics on. */
  const metricLines = async (run: () => Promise<void>) => {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.env.POWERTOOLS_METRICS_DISABLED = "false";
    process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      await run();
    } finally {
      process.stdout.write = write;
      process.env.POWERTOOLS_METRICS_DISABLED = "true";
    }
    return lines
      .flatMap((line) => line.split("\n"))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line));
  };

  it("publishes the request's metrics in CloudWatch's embedded metric format, only the counters that counted: commits, conflicts, how commands ended", async () => {
    const blobs = await metricLines(async () => {
      await command("metered", { kind: "Open", owner: "ada" });
      await command("metered", { kind: "Debit", amount: 5 });
      await command("metered", { kind: "Credit", amount: 5 }, { "idempotency-key": "metered-credit" });
      await command("metered", { kind: "Credit", amount: 5 }, { "idempotency-key": "metered-credit" });
    });
    const metric = (name: string) => blobs.filter((blob) => name in blob).map((blob) => blob[name]);
    const counted = blobs.filter((blob) => blob._aws.CloudWatchMetrics[0].Metrics.some((m: { Name: string }) => m.Name !== "ColdStart"));
    assert.equal(counted.length, 4, "one metrics line per command");
    assert.deepEqual(metric("CommandsCommitted"), [1, 1]);
    assert.deepEqual(metric("CommandsRepeated"), [1], "the repeat answered from its key");
    assert.deepEqual(metric("CommandsRejected"), [1]);
    assert.deepEqual(metric("VersionConflicts"), [], "no conflict, the repeat's included: not published as a zero or a negative");
    assert.deepEqual(metric("RetriesExhausted"), []);
    assert.deepEqual(blobs[0]._aws.CloudWatchMetrics[0].Namespace, "EventLedger");
  });

  it("counts each request's own outcome when requests overlap: a read answered after a command publishes no command metric", async () => {
    // The read's queries wait until the command has answered, so the read ends last.
    let commandDone!: () => void;
    const answered = new Promise<void>((resolve) => (commandDone = resolve));
    const client = new DynamoDBClient((await dynamoDbLocal()).config);
    client.middlewareStack.add(
      (next) => async (args) => {
        if (JSON.stringify(args.input).includes('"overlap-read"')) await answered;
        return next(args);
      },
      { step: "initialize" },
    );
    const overlapping = createCommandApiHandler(accounts, { dynamodb: client });
    // Opened by another handler: the overlapping one remembers nothing of it and must read the ledger.
    await handler(request("POST", "/aggregates/overlap-read/commands", { body: JSON.stringify({ kind: "Open", owner: "ada" }) }));
    let blobs: Record<string, unknown>[];
    try {
      blobs = await metricLines(async () => {
        const read = overlapping(request("GET", "/aggregates/overlap-read"));
        const command = await overlapping(
          request("POST", "/aggregates/overlap-command/commands", { body: JSON.stringify({ kind: "Open", owner: "bo" }) }),
        );
        commandDone();
        assert.equal(command.statusCode, 200);
        assert.equal((await read).statusCode, 200);
      });
    } finally {
      client.destroy();
    }
    const committed = blobs.filter((blob) => "CommandsCommitted" in blob);
    assert.equal(committed.length, 1, "the command's line alone; the read counts nothing");
  });

  it("200: runs a command and answers with the aggregate, its new events and the commit id", async () => {
    const opened = await command("acc 1", { kind: "Open", owner: "ada" });
    assert.equal(opened.statusCode, 200);
    assert.deepEqual(
      [opened.json.aggregateId, opened.json.version, opened.json.state.owner, opened.json.events[0].type],
      ["acc 1", 1, "ada", "AccountOpened"],
    );
    assert.equal(opened.headers["content-type"], "application/json");
    const credited = await send(
      request("POST", "/aggregates/acc%201/commands", { body: JSON.stringify({ kind: "Credit", amount: 70 }), base64: true }),
    );
    assert.equal(credited.json.state.balance, 70);
  });

  it("200: reads an aggregate strongly consistently, as of a version, and eventually from the replica", async () => {
    const strong = await send(request("GET", "/aggregates/acc%201"));
    assert.deepEqual([strong.statusCode, strong.json.version, strong.json.state.balance, strong.json.consistency], [200, 2, 70, "strong"]);
    const asOf = await send(request("GET", "/aggregates/acc%201", { query: { version: "1" } }));
    assert.deepEqual([asOf.json.version, asOf.json.state.balance], [1, 0]);
    assert.equal(
      (await send(request("GET", "/aggregates/acc%201", { query: { consistency: "eventual" } }))).statusCode,
      404,
      "no replica row yet",
    );
    await project("acc 1");
    const eventual = await send(request("GET", "/aggregates/acc%201", { query: { consistency: "eventual" } }));
    assert.deepEqual([eventual.statusCode, eventual.json.version, eventual.json.consistency], [200, 2, "eventual"]);
  });

  it("409 with the domain's code for a rejected command; 404 for an aggregate without events or a version it never had", async () => {
    const rejected = await command("acc 1", { kind: "Debit", amount: 500 });
    assert.deepEqual([rejected.statusCode, rejected.json.error, rejected.json.code], [409, "rejected", "insufficient-funds"]);
    assert.equal((await send(request("GET", "/aggregates/nobody"))).statusCode, 404);
    assert.equal((await send(request("GET", "/aggregates/acc%201", { query: { version: "99" } }))).statusCode, 404);
  });

  it("400 naming what is wrong: bad JSON, empty body, a body that is not an object, an unknown command, a bad payload, a bad query", async () => {
    const cases: [HttpApiEvent, RegExp][] = [
      [request("POST", "/aggregates/a/commands", { body: "{not json" }), /not JSON/],
      [request("POST", "/aggregates/a/commands", { body: "" }), /empty/],
      [request("POST", "/aggregates/a/commands", { body: "[1,2]" }), /JSON object/],
      [request("POST", "/aggregates/acc%201/commands", { body: JSON.stringify({ kind: "Teleport" }) }), /invalid command/],
      [
        request("POST", "/aggregates/acc%201/commands", { body: JSON.stringify({ kind: "Credit", amount: "lots" }) }),
        /amount must be a positive number/,
      ],
      [request("GET", "/aggregates/acc%201", { query: { version: "-1" } }), /version must be a non-negative integer/],
      [request("GET", "/aggregates/acc%201", { query: { consistency: "sometimes" } }), /consistency must be/],
      [request("GET", "/aggregates/%E0%A4%A"), /percent-encoding/],
      [request("POST", "/commands", { body: JSON.stringify({ aggregateIds: "a", command: {} }) }), /aggregateIds/],
    ];
    for (const [event, message] of cases) {
      const response = await send(event);
      assert.equal(response.statusCode, 400, `${event.rawPath} ${event.body}`);
      assert.match(response.json.message, message);
    }
  });

  it("413 for a 10 MB body, 405 with Allow for a wrong method, 404 for an unknown route", async () => {
    const large = await send(
      request("POST", "/aggregates/a/commands", { body: JSON.stringify({ kind: "Open", owner: "x".repeat(10 * 1024 * 1024) }) }),
    );
    assert.equal(large.statusCode, 413);
    const wrongMethod = await send(request("DELETE", "/aggregates/a"));
    assert.deepEqual([wrongMethod.statusCode, wrongMethod.headers.allow], [405, "GET"]);
    assert.equal((await send(request("GET", "/elsewhere"))).statusCode, 404);
  });

  it("honours Idempotency-Key: a resend gets the first result and appends nothing; the key on another command is 422", async () => {
    await command("acc 2", { kind: "Open", owner: "bob" });
    const first = await command("acc 2", { kind: "Credit", amount: 10 }, { "Idempotency-Key": "k-1" });
    const again = await command("acc 2", { kind: "Credit", amount: 10 }, { "idempotency-key": "k-1" });
    assert.deepEqual([again.statusCode, again.json.repeated, again.json.commitId, again.json.version], [200, true, first.json.commitId, 2]);
    assert.equal((await send(request("GET", "/aggregates/acc%202"))).json.state.balance, 10);
    const reused = await command("acc 2", { kind: "Credit", amount: 99 }, { "Idempotency-Key": "k-1" });
    assert.equal(reused.statusCode, 422);
  });

  it("runs a transfer over two aggregates in one commit on POST /commands", async () => {
    const transfer = await send(
      request("POST", "/commands", {
        body: JSON.stringify({ aggregateIds: ["acc 1", "acc 2"], command: { kind: "Transfer", from: "acc 1", to: "acc 2", amount: 20 } }),
      }),
    );
    assert.equal(transfer.statusCode, 200);
    assert.deepEqual(
      transfer.json.aggregates.map((a: { state: AccountState }) => a.state.balance).sort((a: number, b: number) => a - b),
      [30, 50],
    );
  });
});

describe("command routes: how failures reach the caller", () => {
  const failing = (error: Error) =>
    commandRoutes({
      commands: {
        execute: async () => {
          throw error;
        },
      } as never,
    });
  const post = { method: "POST", path: "/aggregates/a/commands", query: {}, headers: {}, body: "{}", requestId: "r-9" };

  it("503 with Retry-After when retries are exhausted or the outcome is unknown (with the commit id to resend under the same key)", async () => {
    const busy = await failing(new RetriesExhaustedError("a", 100, 7))(post);
    assert.deepEqual([busy.statusCode, busy.headers["retry-after"], JSON.parse(busy.body).error], [503, "1", "contention"]);
    const unknown = await failing(new CommitOutcomeUnknownError("a", "c-1"))(post);
    assert.deepEqual([unknown.statusCode, JSON.parse(unknown.body).commitId], [503, "c-1"]);
  });

  it("500, not the client's 400, for a keyed command on a command side set up without an idempotency table; nothing is written", async () => {
    const ledger = await bankLedger();
    const { commands } = dynamoDbCommandSide({ domain: accounts, ledgerTable: ledger.ledgerTable, client: ledger.db });
    const routes = commandRoutes({ commands });
    const response = await routes({
      ...post,
      path: "/aggregates/acc-keyless/commands",
      headers: { "idempotency-key": "k-1" },
      body: JSON.stringify({ kind: "Open", owner: "ada" }),
    });
    assert.equal(response.statusCode, 500, response.body);
    assert.equal(JSON.parse(response.body).requestId, "r-9");
    assert.deepEqual(await ledger.events.read("acc-keyless", 0), [], "the command was not applied without its key");
  });

  it("500 naming only the request id for anything unexpected: no message, no stack trace", async () => {
    const response = await failing(new TypeError("Cannot read properties of undefined (reading 'secret')"))(post);
    assert.equal(response.statusCode, 500);
    assert.equal(JSON.parse(response.body).requestId, "r-9");
    assert.ok(!/secret|TypeError|at /.test(response.body), response.body);
  });
});
