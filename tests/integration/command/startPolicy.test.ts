import * as assert from "node:assert/strict";
import { AccountCommand, AccountState, accounts } from "../../../examples/accounts/domain";
import { AggregateLoader } from "../../../handlers/runtime/ledger/aggregateLoader";
import { CommandHandler } from "../../../handlers/runtime/command/commandHandler";
import { Aggregate, LedgerEvent } from "../../../handlers/runtime/domain/domain";
import { emptyAggregate, fold } from "../../../handlers/runtime/domain/fold";
import { DynamoDbReadModel } from "../../../handlers/runtime/aws/dynamoDbReadModel";
import { ReadModelSnapshotSource, aggregateProjection } from "../../../handlers/runtime/projection/readModelSnapshots";
import { BankLedger, accountEvents, bankLedger, seed } from "../../support/ledgerFixture";
import { projectorFor } from "../../support/pipelineFixture";

const replica = aggregateProjection<AccountState>("replica", accounts);

/** What the replica's projector writes for an aggregate: its row, as of that version. */
const projectRow = (readModel: DynamoDbReadModel, aggregate: Aggregate<AccountState>) =>
  readModel.putIfNewer(aggregate.aggregateId, aggregate.version, replica.project(aggregate, undefined as never) as Record<string, unknown>);

describe("decide-first on the read replica: decide on its row, read the ledger only after a conflict (DynamoDB Local)", () => {
  let ledger: BankLedger;
  let readModel: DynamoDbReadModel;
  let handler: CommandHandler<AccountState, AccountCommand>;

  const history = async (id: string, versions: number, replicaAt: number) => {
    const events = accountEvents(id, 1, versions);
    await seed(ledger, events);
    if (replicaAt > 0) await projectRow(readModel, fold(accounts, emptyAggregate(accounts, id), events.slice(0, replicaAt)));
    ledger.requests.reset();
    return events;
  };
  const ledgerItemsRead = () => ledger.requests.itemsRead(ledger.events.tableName);

  beforeEach(async () => {
    ledger = await bankLedger();
    ({ readModel } = await projectorFor(ledger, replica));
    handler = new CommandHandler(new AggregateLoader(accounts, ledger.events, new ReadModelSnapshotSource(readModel)), ledger.events, {
      start: "decide-first",
    });
  });

  it("appends at once on a current replica: one replica read and one write, no ledger read, at 1,000 events", async () => {
    await history("current", 1000, 1000);
    const before = ledgerItemsRead();

    const result = await handler.execute("current", { kind: "Credit", amount: 5 });

    assert.equal(result.aggregate.version, 1001);
    assert.equal(result.aggregate.state.balance, 999 + 5);
    assert.deepEqual(
      Object.fromEntries(ledger.requests.byOperation),
      { GetItem: 1, TransactWriteItems: 1 },
      "the write checks that version 1,000 exists in the same request",
    );
    assert.equal(ledgerItemsRead() - before, 0);
  });

  it("reads exactly the 3 events a replica 3 versions behind missed (and its own version, as proof), then appends", async () => {
    await history("behind", 1003, 1000);
    const before = ledgerItemsRead();

    const result = await handler.execute("behind", { kind: "Credit", amount: 5 });

    assert.equal(result.aggregate.version, 1004);
    assert.equal(result.attempts, 2);
    assert.equal(ledgerItemsRead() - before, 4, "versions 1,000..1,003");
    assert.deepEqual(Object.fromEntries(ledger.requests.byOperation), { GetItem: 1, TransactWriteItems: 1, Query: 1, PutItem: 1 });
    assert.equal((await handler.query("behind")).state.balance, 1002 + 5);
  });

  it("opens a new aggregate with one write and no ledger read", async () => {
    const result = await handler.execute("fresh", { kind: "Open", owner: "ada" });
    assert.equal(result.aggregate.version, 1);
    assert.deepEqual(Object.fromEntries(ledger.requests.byOperation), { GetItem: 1, PutItem: 1 });
  });

  it("never rejects on a lagging replica what the ledger allows: a debit of 50 after a credit of 100 the replica has not seen", async () => {
    await history("lagging", 1, 1);
    await handler.execute("lagging", { kind: "Credit", amount: 100 });
    // The replica still shows the account as opened, balance 0.
    const result = await handler.execute("lagging", { kind: "Debit", amount: 50 });
    assert.equal(result.aggregate.state.balance, 50);
    await assert.rejects(handler.execute("lagging", { kind: "Debit", amount: 60 }), { name: "CommandRejectedError" });
  });

  it("never opens a gap for a replica row that claims a version the ledger never reached", async () => {
    await history("liar", 3, 0);
    // A well-formed row (valid checksum) at version 50: the ledger holds 3.
    await projectRow(readModel, { aggregateId: "liar", version: 50, state: { opened: true, owner: "mallory", balance: 1_000_000 } });

    const result = await handler.execute("liar", { kind: "Credit", amount: 1 });

    const events = (await ledger.events.read("liar", 0)) as unknown as LedgerEvent[];
    assert.deepEqual(
      events.map((event) => event.version),
      [1, 2, 3, 4],
      "gap-free",
    );
    assert.equal(result.aggregate.version, 4);
    assert.equal(result.aggregate.state.balance, 2 + 1, "the ledger's balance, not the row's");
  });

  it("ignores a replica row whose checksum does not match its state", async () => {
    await history("tampered", 5, 5);
    const row = (await readModel.get("tampered"))!;
    await readModel.putIfNewer("tampered", 6, { ...row, state: { ...(row.state as object), balance: 1_000_000 } });

    const result = await handler.execute("tampered", { kind: "Debit", amount: 4 });

    assert.equal(result.aggregate.state.balance, 0);
    assert.equal(result.aggregate.version, 6);
  });

  it("replays an aggregate the replica has no row for", async () => {
    await history("unprojected", 2, 0);
    const result = await handler.replay("unprojected");
    assert.equal(result.aggregate.version, 3);
  });
});
