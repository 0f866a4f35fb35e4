import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { accounts, AccountCommand, AccountState } from "../../examples/accounts/domain";
import { AggregateLoader } from "../../handlers/runtime/aggregateLoader";
import { CommandHandler, CommandHandlerOptions } from "../../handlers/runtime/commandHandler";
import { LedgerEvent } from "../../handlers/runtime/domain";
import { RequestCounter, documentClient } from "../../handlers/runtime/dynamodb/client";
import { DynamoDbEventStore } from "../../handlers/runtime/dynamodb/ledgerTable";
import { DynamoDbSnapshotStore } from "../../handlers/runtime/dynamodb/snapshotTable";
import { fold, emptyAggregate } from "../../handlers/runtime/fold";
import { toSnapshot } from "../../handlers/runtime/snapshots";
import { LEDGER_TABLE, SNAPSHOT_TABLE } from "../../handlers/runtime/tableSchemas";
import { createTable } from "../../local/tables";
import { dynamoDbLocal, rawClient, uniqueTableName } from "./rootHooks";

/** A fresh bank ledger (events + snapshots tables) on DynamoDB Local, with request counting. */
export interface BankLedger {
  db: DynamoDBDocumentClient;
  requests: RequestCounter;
  events: DynamoDbEventStore;
  snapshots: DynamoDbSnapshotStore;
  loader: AggregateLoader<AccountState>;
  ledgerTable: string;
  snapshotTable: string;
  streamArn?: string;
  handler(options?: CommandHandlerOptions): CommandHandler<AccountState, AccountCommand>;
}

export async function bankLedger(): Promise<BankLedger> {
  const { config } = await dynamoDbLocal();
  const client = await rawClient();
  const ledgerTable = uniqueTableName("ledger");
  const snapshotTable = uniqueTableName("snapshots");
  const streamArn = await createTable(client, ledgerTable, LEDGER_TABLE);
  await createTable(client, snapshotTable, SNAPSHOT_TABLE);
  client.destroy();
  const requests = new RequestCounter();
  const db = documentClient(config, requests);
  const events = new DynamoDbEventStore(db, ledgerTable);
  const snapshots = new DynamoDbSnapshotStore(db, snapshotTable);
  const loader = new AggregateLoader(accounts, events, snapshots);
  return {
    db,
    requests,
    events,
    snapshots,
    loader,
    ledgerTable,
    snapshotTable,
    streamArn,
    handler: (options = {}) => new CommandHandler(loader, events, { snapshotStore: snapshots, ...options }),
  };
}

/** Versions `from..to` of an account's history: opened at version 1, then credits of 1, at fixed times. */
export function accountEvents(aggregateId: string, from: number, to: number): LedgerEvent[] {
  const events: LedgerEvent[] = [];
  for (let version = from; version <= to; version += 1) {
    const timestamp = new Date(Date.UTC(2026, 0, 1) + version).toISOString();
    events.push(
      version === 1
        ? { aggregateId, version, type: "AccountOpened", payload: { owner: "ada" }, timestamp }
        : { aggregateId, version, type: "Credited", payload: { amount: 1 }, timestamp },
    );
  }
  return events;
}

/** Writes events in commits of up to 100, and a snapshot at every multiple of `snapshotEvery`. */
export async function seed(ledger: BankLedger, events: LedgerEvent[], snapshotEvery = 0): Promise<void> {
  for (let start = 0; start < events.length; start += 100) await ledger.events.append(events.slice(start, start + 100));
  if (snapshotEvery <= 0 || events.length === 0) return;
  const saves: Promise<void>[] = [];
  fold(accounts, emptyAggregate(accounts, events[0].aggregateId), events, (aggregate) => {
    if (aggregate.version % snapshotEvery === 0) saves.push(ledger.snapshots.save(toSnapshot(accounts, aggregate)));
  });
  await Promise.all(saves);
}
