import * as assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDbReadModel } from "../../../handlers/runtime/aws/dynamoDbReadModel";
import { READ_MODEL_TABLE } from "../../../handlers/runtime/ledger/tableSchemas";
import { replica } from "../../../examples/accounts/projections";
import { createTable } from "../../../local/tables";
import { BankLedger, bankLedger } from "../../support/ledgerFixture";
import { dynamoDbLocal, rawClient, uniqueTableName } from "../../support/rootHooks";
import { STACK_LINE, runInProcess, spawnCli } from "../../unit/cli/cliRun";

const DOMAIN = ["--domain", "examples/accounts/domain.ts", "--export", "accounts"];

describe("event-ledger against DynamoDB Local (--endpoint)", function () {
  this.timeout(180_000);
  let ledger: BankLedger;
  let raw: DynamoDBClient;
  let endpoint: string;
  let balancesTable: string;
  let scratch: string;
  const ledgerItems = async () => (await raw.send(new ScanCommand({ TableName: ledger.ledgerTable, Select: "COUNT" }))).Count ?? 0;
  const ledgerOptions = () => [
    "--endpoint",
    endpoint,
    "--ledger-table",
    ledger.ledgerTable,
    "--idempotency-table",
    ledger.idempotencyTable,
    ...DOMAIN,
  ];

  before(async () => {
    endpoint = (await dynamoDbLocal()).config.endpoint;
    raw = await rawClient();
    ledger = await bankLedger();
    scratch = await mkdtemp(path.join(tmpdir(), "event-ledger-cli-"));
    const commands = ledger.handler();
    for (const id of ["r-1", "r-2", "r-3", "i-1", "i-2"]) {
      await commands.execute(id, { kind: "Open", owner: `owner of ${id}` });
      await commands.execute(id, { kind: "Credit", amount: 5 });
    }
    balancesTable = uniqueTableName("balances");
    await createTable(raw, balancesTable, READ_MODEL_TABLE);
    await new DynamoDbReadModel(ledger.db, balancesTable).putIfNewer("i-1", 2, { owner: "owner of i-1", balance: 5 });
  });

  after(async () => {
    raw?.destroy();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("a table that does not exist: exit 1, one line naming the table, the endpoint and --ledger-table, no stack", async () => {
    const { code, stdout, stderr } = await spawnCli([
      "replay",
      "--endpoint",
      endpoint,
      "--ledger-table",
      "no-such-ledger",
      "--idempotency-table",
      ledger.idempotencyTable,
      ...DOMAIN,
      "--all",
    ]);
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.equal(stderr, `event-ledger replay: table no-such-ledger does not exist in ${endpoint}: check --ledger-table\n`);
    assert.doesNotMatch(stderr, STACK_LINE);
  });

  it("replay --dry-run counts the aggregates it would replay and writes nothing; the same line without it appends one replay event to each", async () => {
    const checkpoint = path.join(scratch, "replay-r.json");
    const line = ["replay", ...ledgerOptions(), "--all", "--prefix", "r-", "--checkpoint", checkpoint];
    const before = await ledgerItems();
    const dry = await runInProcess([...line, "--dry-run"]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(
      dry.stdout,
      /^dry run: a run would append a replay event for every projector \(generation 1\) to 3 aggregates of .* with ids starting "r-"/,
    );
    assert.equal(await ledgerItems(), before, "the dry run wrote nothing");

    const run = await runInProcess(line);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^done: this run 3 replayed, 0 already replayed/);
    assert.equal(await ledgerItems(), before + 3, "one replay event per aggregate of the prefix");
  });

  it("recover --dir replays each aggregate the failed batches name, once", async () => {
    const folder = path.join(scratch, "failed");
    await mkdir(folder);
    const record = (id: string) => ({ eventName: "INSERT", dynamodb: { Keys: { aggregateId: { S: id }, version: { N: "2" } } } });
    await writeFile(path.join(folder, "batch-1.json"), JSON.stringify({ payload: { Records: [record("i-2"), record("i-2")] } }));
    await writeFile(path.join(folder, "batch-2.json"), JSON.stringify({ payload: JSON.stringify({ Records: [record("i-2")] }) }));
    const before = (await ledger.events.read("i-2", 0)).length;
    const { code, stdout, stderr } = await runInProcess(["recover", "--dir", folder, ...ledgerOptions()], { progressEveryMs: 10 });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^2 failed batches, 1 aggregates, 1 replayed, 0 failed, 0 unreadable objects/);
    const events = await ledger.events.read("i-2", 0);
    assert.equal(events.length, before + 1);
    assert.equal(events[events.length - 1].type, "ledger.Replay");
  });

  it("inspect prints the events, the state at a version and the aggregate's read-model row", async () => {
    const inspect = [
      "inspect",
      "i-1",
      "--endpoint",
      endpoint,
      "--ledger-table",
      ledger.ledgerTable,
      ...DOMAIN,
      "--read-model",
      `balances=${balancesTable}`,
    ];
    const text = await runInProcess(inspect);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^aggregate i-1: 2 events in /);
    assert.match(text.stdout, /^ {2}v1 {2}\S+ {2}AccountOpened {2}\{"owner":"owner of i-1"\}/m);
    assert.match(text.stdout, /^ {2}v2 {2}\S+ {2}Credited {2}\{"amount":5\}/m);
    assert.match(
      text.stdout,
      /^state at version 2 \(folded with accounts of examples\/accounts\/domain.ts\):\n {4}\{\n {6}"opened": true,\n {6}"balance": 5,/m,
    );
    assert.match(
      text.stdout,
      new RegExp(
        `^read model balances \\(${balancesTable}\\): version 2 \\(current\\)\\n {4}\\{\\n {6}"owner": "owner of i-1",\\n {6}"balance": 5\\n {4}\\}\\n$`,
        "m",
      ),
    );

    const json = await runInProcess([...inspect, "--at", "1", "--from", "2", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const shown = JSON.parse(json.stdout);
    assert.equal(shown.lastVersion, 2);
    assert.deepEqual(
      shown.events.map((event: { version: number; type: string }) => [event.version, event.type]),
      [[2, "Credited"]],
    );
    assert.deepEqual(shown.state, { version: 1, state: { opened: true, owner: "owner of i-1", balance: 0 } });
    assert.deepEqual(shown.readModels, [
      { name: "balances", table: balancesTable, row: { id: "i-1", version: 2, owner: "owner of i-1", balance: 5 }, version: 2, behind: 0 },
    ]);
  });

  it("inspect --replica says whether the replica's row holds its checksum and matches the ledger's state at its version", async () => {
    const replicaTable = uniqueTableName("replica");
    await createTable(raw, replicaTable, READ_MODEL_TABLE);
    const rows = new DynamoDbReadModel(ledger.db, replicaTable);
    const loaded = await ledger.loader.load("i-1");
    const [event] = await ledger.events.readLatest("i-1", 1);
    const row = replica.project(loaded, event as never);
    await rows.putIfNewer("i-1", loaded.version, row);
    // A row whose state was changed after its checksum: a replica no command may start from.
    await rows.putIfNewer("i-2", 1, { ...row, state: { ...loaded.state, balance: 1_000 } });
    const inspect = (id: string) =>
      runInProcess(["inspect", id, "--endpoint", endpoint, "--ledger-table", ledger.ledgerTable, ...DOMAIN, "--replica", replicaTable]);
    const sound = await inspect("i-1");
    assert.equal(sound.code, 0, sound.stderr);
    assert.match(
      sound.stdout,
      new RegExp(`^replica \\(${replicaTable}\\): version 2 \\(current\\); checksum holds; matches the ledger at its version$`, "m"),
    );
    const tampered = await inspect("i-2");
    assert.match(
      tampered.stdout,
      /^replica \(.*\): version 1 \(\d+ behind the ledger\); not usable: checksum does not match its content; DIFFERS from the ledger's state at its version$/m,
    );
  });

  it("inspect refuses --at past the last version (exit 2), and names a read-model table that does not exist (exit 1)", async () => {
    const base = ["inspect", "i-1", "--endpoint", endpoint, "--ledger-table", ledger.ledgerTable, ...DOMAIN];
    const past = await runInProcess([...base, "--at", "9"]);
    assert.equal(past.code, 2);
    assert.match(past.stderr, /^event-ledger inspect: --at 9 is past the last version of "i-1" \(2\)\n/);
    const missing = await runInProcess([...base, "--read-model", "balances=no-such-table"]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `event-ledger inspect: table no-such-table does not exist in ${endpoint}: check --read-model\n`);
  });
});
