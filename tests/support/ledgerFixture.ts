import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { EventStore } from "../../handlers/runtime/ledger/stores";
import { accounts, AccountCommand, AccountState } from "../../examples/accounts/domain";
import { AggregateLoader } from "../../handlers/runtime/ledger/aggregateLoader";
import { CommandHandler, CommandHandlerOptions } from "../../handlers/runtime/command/commandHandler";
import { LedgerEvent } from "../../handlers/runtime/domain/domain";
import { RequestCounter, countedDocumentClient } from "../../local/instruments";
import { DynamoDbEventStore } from "../../handlers/runtime/aws/dynamoDbEventStore";
import { DynamoDbSnapshotStore } from "../../handlers/runtime/aws/dynamoDbSnapshotStore";
import { seedAccount } from "../../examples/accounts/history";
import { IDEMPOTENCY_TABLE, LEDGER_TABLE, SNAPSHOT_TABLE } from "../../handlers/runtime/ledger/tableSchemas";
import { UNPOLLED_LEDGER_TABLE, createTable } from "../../local/tables";
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
  idempotencyTable: string;
  /** The ledger's stream, when the ledger was asked for with one. */
  streamArn?: string;
  handler(options?: CommandHandlerOptions): CommandHandler<AccountState, AccountCommand>;
}

/**
 * `stream`: whether the ledger has its stream. Off unless a test polls it: the one emulator of the run
 * keeps every stream record it was ever written, and slows every later write with them.
 */
export async function bankLedger(options: { stream?: boolean } = {}): Promise<BankLedger> {
  const { config } = await dynamoDbLocal();
  const client = await rawClient();
  const ledgerTable = uniqueTableName("ledger");
  const snapshotTable = uniqueTableName("snapshots");
  const idempotencyTable = uniqueTableName("idempotency");
  const streamArn = await createTable(client, ledgerTable, options.stream ? LEDGER_TABLE : UNPOLLED_LEDGER_TABLE);
  await createTable(client, snapshotTable, SNAPSHOT_TABLE);
  await createTable(client, idempotencyTable, IDEMPOTENCY_TABLE);
  client.destroy();
  const requests = new RequestCounter();
  const db = countedDocumentClient(config, requests);
  const events = new DynamoDbEventStore(db, ledgerTable, { idempotencyTable });
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
    idempotencyTable,
    streamArn,
    handler: (options = {}) => new CommandHandler(loader, events, { snapshotStore: snapshots, ...options }),
  };
}

export { accountEvents } from "../../examples/accounts/history";

/** Writes events in commits of up to 100, and a snapshot at every multiple of `snapshotEvery`. */
export const seed = (ledger: BankLedger, events: LedgerEvent[], snapshotEvery = 0): Promise<void> =>
  seedAccount(ledger.events, ledger.snapshots, events, snapshotEvery);

/**
 * The ledger's events, with the first two appends held until both have arrived: two commands
 * that load and decide before either writes really race. `arrivals()` counts the appends.
 */
export function racingAppends(ledger: BankLedger): EventStore & { arrivals(): number } {
  let arrived = 0;
  let release!: () => void;
  const bothDecided = new Promise<void>((resolve) => (release = resolve));
  return {
    arrivals: () => arrived,
    read: (id, after, upTo) => ledger.events.read(id, after, upTo),
    readLatest: (id, limit, upTo) => ledger.events.readLatest(id, limit, upTo),
    async append(events, options) {
      if (++arrived <= 2) {
        if (arrived === 2) release();
        await bothDecided;
      }
      return ledger.events.append(events, options);
    },
  };
}
