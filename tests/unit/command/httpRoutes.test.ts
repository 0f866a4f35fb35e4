import * as assert from "node:assert/strict";
import { AccountCommand, AccountState, accounts } from "../../../examples/accounts/domain";
import { replica as replicaProjection } from "../../../examples/accounts/projections";
import { AggregateLoader } from "../../../handlers/runtime/ledger/aggregateLoader";
import { dynamoDbCommandSide } from "../../../handlers/runtime/aws/factories";
import { CommandHandler } from "../../../handlers/runtime/command/commandHandler";
import { HttpRequest, commandRoutes } from "../../../handlers/runtime/command/httpRoutes";
import { InMemoryEventStore } from "../../../handlers/runtime/memory/eventStore";
import { InMemoryReadModel } from "../../../handlers/runtime/memory/readModel";
import { ReadModelSnapshotSource } from "../../../handlers/runtime/projection/readModelSnapshots";
import { EventStore } from "../../../handlers/runtime/ledger/stores";
import { failingDynamoDb, serviceError } from "../../support/stubClient";

const request = (
  method: string,
  path: string,
  { query = {}, body, headers = {} }: { query?: Record<string, string>; body?: unknown; headers?: Record<string, string> } = {},
): HttpRequest => ({
  method,
  path,
  query,
  headers,
  body: body === undefined ? undefined : JSON.stringify(body),
  requestId: "r-1",
});

/** Routes over in-memory stores whose every call is counted. */
function countedRoutes() {
  const counts = { ledger: 0, replica: 0 };
  const memory = new InMemoryEventStore();
  const events: EventStore = {
    append: (...args) => (counts.ledger++, memory.append(...args)),
    read: (...args) => (counts.ledger++, memory.read(...args)),
    readLatest: (...args) => (counts.ledger++, memory.readLatest(...args)),
  };
  const rows = new InMemoryReadModel();
  const replica = { get: (id: string) => (counts.replica++, rows.get(id)) };
  const commands = new CommandHandler<AccountState, AccountCommand>(
    new AggregateLoader(accounts, events, new ReadModelSnapshotSource(replica)),
    events,
    { start: "decide-first" },
  );
  return { counts, routes: commandRoutes({ commands, replica }), rows, commands };
}

const bodyOf = (response: { body: string }) => JSON.parse(response.body) as { error: string; message: string };

describe("command routes: every route refuses an aggregate id the ledger cannot hold, before any request", () => {
  for (const bytes of [1025, 2049, 5000]) {
    const id = "x".repeat(bytes);
    for (const [label, make] of [
      ["POST /aggregates/{id}/commands", () => request("POST", `/aggregates/${id}/commands`, { body: { kind: "Open", owner: "o" } })],
      ["GET /aggregates/{id}", () => request("GET", `/aggregates/${id}`)],
      ["GET /aggregates/{id}?consistency=eventual", () => request("GET", `/aggregates/${id}`, { query: { consistency: "eventual" } })],
      [
        "POST /commands",
        () =>
          request("POST", "/commands", { body: { aggregateIds: [id, "b"], command: { kind: "Transfer", from: id, to: "b", amount: 1 } } }),
      ],
    ] as const) {
      it(`${label} with a ${bytes}-byte id: 400 naming the limit, no store called`, async () => {
        const { counts, routes } = countedRoutes();
        const response = await routes(make());
        assert.equal(response.statusCode, 400, response.body);
        assert.equal(bodyOf(response).error, "invalid-aggregate-id");
        assert.match(bodyOf(response).message, /at most 1024 are allowed/);
        assert.deepEqual(counts, { ledger: 0, replica: 0 });
      });
    }
  }
});

describe("command routes: query parameters are checked on every branch", () => {
  let setup: ReturnType<typeof countedRoutes>;
  beforeEach(async () => {
    setup = countedRoutes();
    await setup.commands.execute("a", { kind: "Open", owner: "a" });
    const credited = await setup.commands.execute("a", { kind: "Credit", amount: 5 });
    await setup.rows.putIfNewer(
      "a",
      credited.aggregate.version,
      replicaProjection.project(credited.aggregate, undefined as never) as Record<string, unknown>,
    );
  });

  for (const [label, query, expected] of [
    [
      "a version that is not a number with consistency=eventual",
      { consistency: "eventual", version: "abc" },
      /version must be a non-negative integer/,
    ],
    ["a version with consistency=eventual", { consistency: "eventual", version: "1" }, /omit consistency=eventual to read as of a version/],
    ["an unknown consistency with a version", { consistency: "weak", version: "1" }, /consistency must be "strong" or "eventual"/],
    ["an unknown parameter", { versoin: "1" }, /unknown query parameter versoin/],
  ] as const) {
    it(`GET /aggregates/{id} with ${label}: 400 naming the parameter`, async () => {
      const response = await setup.routes(request("GET", "/aggregates/a", { query }));
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(bodyOf(response).error, "invalid-query");
      assert.match(bodyOf(response).message, expected);
    });
  }

  it("POST routes take no query parameters: 400 naming the one sent, nothing written", async () => {
    const before = setup.counts.ledger;
    for (const path of ["/aggregates/a/commands", "/commands"]) {
      const response = await setup.routes(request("POST", path, { query: { dryRun: "true" }, body: { kind: "Credit", amount: 1 } }));
      assert.equal(response.statusCode, 400, response.body);
      assert.match(bodyOf(response).message, /unknown query parameter dryRun; this route takes none/);
    }
    assert.equal(setup.counts.ledger, before);
  });

  it("still answers a version read and an eventual read as before", async () => {
    const atOne = await setup.routes(request("GET", "/aggregates/a", { query: { version: "1" } }));
    assert.deepEqual([atOne.statusCode, JSON.parse(atOne.body).version], [200, 1]);
    const eventual = await setup.routes(request("GET", "/aggregates/a", { query: { consistency: "eventual" } }));
    assert.deepEqual([eventual.statusCode, JSON.parse(eventual.body).version], [200, 2]);
  });
});

describe("command routes: a body or query the API cannot take is a 400 naming what is wrong, before any request", () => {
  /** JSON of a value nested `levels` arrays deep, written as text (serializing such a value would overflow the stack). */
  const deep = (levels: number) => `${"[".repeat(levels)}1${"]".repeat(levels)}`;

  for (const [label, path, body, expected] of [
    ["a command that is an array", "/commands", JSON.stringify({ aggregateIds: ["a", "b"], command: [] }), /command must be a JSON object/],
    ["a command nested 10,000 levels deep", "/aggregates/a/commands", `{"kind":"Credit","amount":${deep(10_000)}}`, /nests deeper than 32/],
    [
      "a command nested 10,000 levels deep across aggregates",
      "/commands",
      `{"aggregateIds":["a"],"command":{"x":${deep(10_000)}}}`,
      /nests deeper than 32/,
    ],
  ] as const) {
    it(`POST ${path} with ${label}`, async () => {
      const { routes, counts } = countedRoutes();
      const response = await routes({ ...request("POST", path), body });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(bodyOf(response).error, "invalid-body");
      assert.match(bodyOf(response).message, expected);
      assert.equal(counts.ledger, 0);
    });
  }

  it("GET /aggregates/{id}?version past the largest safe integer: 400 invalid-query, not an internal error", async () => {
    const { routes } = countedRoutes();
    const response = await routes(request("GET", "/aggregates/a", { query: { version: "99999999999999999999" } }));
    assert.equal(response.statusCode, 400, response.body);
    assert.equal(bodyOf(response).error, "invalid-query");
  });

  it("answers POST /commands with the attempts it took, as the single-aggregate route does", async () => {
    const { routes, commands } = countedRoutes();
    for (const id of ["a", "b"]) {
      await commands.execute(id, { kind: "Open", owner: id });
      await commands.execute(id, { kind: "Credit", amount: 5 });
    }
    const response = await routes(
      request("POST", "/commands", { body: { aggregateIds: ["a", "b"], command: { kind: "Transfer", from: "a", to: "b", amount: 1 } } }),
    );
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(JSON.parse(response.body).attempts, 1);
  });
});

const TRANSIENT = [
  ["throttling", serviceError("ProvisionedThroughputExceededException", 400)],
  ["a request limit", serviceError("RequestLimitExceeded", 400)],
  ["a 500 from DynamoDB", serviceError("InternalServerError", 500)],
  ["a 503 from DynamoDB", serviceError("ServiceUnavailable", 503)],
  ["a timeout", () => Object.assign(new Error("socket timed out"), { name: "TimeoutError" })],
  ["a reset connection", () => Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })],
] as const;

describe("command routes: a transient failure after the SDK's retries is a 503 with Retry-After, never a 500", () => {
  for (const [label, error] of TRANSIENT) {
    for (const withReplica of [false, true]) {
      it(`${label}${withReplica ? " (with a replica)" : ""}: commands, idempotent commands, transfers and both reads answer 503 with Retry-After`, async () => {
        const { commands, replica } = dynamoDbCommandSide({
          domain: accounts,
          client: failingDynamoDb(error),
          ledgerTable: "ledger",
          idempotencyTable: "keys",
          snapshotTable: withReplica ? undefined : "snapshots",
          replicaTable: withReplica ? "replica" : undefined,
          commands: { rememberedAggregates: 0 },
        });
        const routes = commandRoutes({ commands, replica, retryAfterSeconds: 2 });
        const requests = [
          request("POST", "/aggregates/a/commands", { body: { kind: "Credit", amount: 1 } }),
          request("POST", "/aggregates/a/commands", { body: { kind: "Credit", amount: 1 }, headers: { "idempotency-key": "k-1" } }),
          request("POST", "/commands", {
            body: { aggregateIds: ["a", "b"], command: { kind: "Transfer", from: "a", to: "b", amount: 1 } },
          }),
          request("GET", "/aggregates/a"),
          ...(withReplica ? [request("GET", "/aggregates/a", { query: { consistency: "eventual" } })] : []),
        ];
        for (const sent of requests) {
          const response = await routes(sent);
          assert.equal(response.statusCode, 503, `${sent.method} ${sent.path}: ${response.body}`);
          assert.equal(response.headers["retry-after"], "2");
          assert.ok(["unavailable", "outcome-unknown"].includes(bodyOf(response).error), response.body);
        }
      });
    }
  }

  it("a non-transient failure (access denied) stays a 500 that names only the request id", async () => {
    const { commands } = dynamoDbCommandSide({
      domain: accounts,
      client: failingDynamoDb(serviceError("AccessDeniedException", 400)),
      ledgerTable: "ledger",
      snapshotTable: "snapshots",
    });
    const response = await commandRoutes({ commands })(request("GET", "/aggregates/a"));
    assert.equal(response.statusCode, 500);
    assert.ok(!/AccessDenied/.test(response.body));
  });
});

describe("command routes: the idempotency keys reactions write are never a client's", () => {
  for (const key of ["reaction:note-orders:4431", "reaction-checkpoint:note-orders:ab"])
    it(`refuses the Idempotency-Key "${key}" with a 400 before any request`, async () => {
      const { counts, routes } = countedRoutes();
      const response = await routes(
        request("POST", "/aggregates/a/commands", { body: { kind: "Open", owner: "o" }, headers: { "idempotency-key": key } }),
      );
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(bodyOf(response).error, "reserved-idempotency-key");
      assert.deepEqual(counts, { ledger: 0, replica: 0 });
    });
});
