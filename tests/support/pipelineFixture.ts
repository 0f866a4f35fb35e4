import { accounts, AccountState } from "../../examples/accounts/domain";
import { AggregateLoader } from "../../handlers/runtime/ledger/aggregateLoader";
import { BusEntry } from "../../handlers/runtime/dispatch/batching";
import { Dispatcher, DispatcherOptions } from "../../handlers/runtime/dispatch/dispatcher";
import { Bus } from "../../handlers/runtime/dispatch/publisher";
import { StreamRecord } from "../../handlers/runtime/dispatch/streamRecords";
import { LedgerEvent } from "../../handlers/runtime/domain/domain";
import { StateCarriedMessage } from "../../handlers/runtime/messages/stateCarried";
import { Projection } from "../../handlers/runtime/projection/projection";
import { Projector, QueueMessage } from "../../handlers/runtime/projection/projector";
import { DynamoDbReadModel } from "../../handlers/runtime/aws/dynamoDbReadModel";
import { READ_MODEL_TABLE } from "../../handlers/runtime/ledger/tableSchemas";
import { InMemoryDeadLetters } from "../../handlers/runtime/memory/deadLetters";
import { insertRecord } from "../../local/streamPoller";
import { createTable } from "../../local/tables";
import { BankLedger } from "./ledgerFixture";
import { rawClient, uniqueTableName } from "./rootHooks";
import { unmarshallImage } from "../../handlers/runtime/aws/streamImages";

let sequence = 0;
/** A stream record as Lambda delivers it for an INSERT into the ledger. */
export const streamRecord = (item: Record<string, unknown>): StreamRecord => {
  sequence += 1;
  return insertRecord(item, String(sequence).padStart(21, "0"), `evt-${sequence}`);
};

/** A bus that accepts everything and keeps what it was given. */
export class RecordingBus implements Bus {
  readonly calls: BusEntry[][] = [];
  async putEvents(entries: readonly BusEntry[]): Promise<(string | undefined)[]> {
    this.calls.push([...entries]);
    return entries.map(() => undefined);
  }
  get messages(): StateCarriedMessage[] {
    return this.calls.flat().map((entry) => JSON.parse(entry.detail));
  }
}

export function bankDispatcher(ledger: BankLedger, bus: Bus, options: Partial<DispatcherOptions<AccountState>> = {}) {
  const deadLetters = new InMemoryDeadLetters();
  const dispatcher = new Dispatcher({
    unmarshall: unmarshallImage,
    domain: accounts,
    loader: new AggregateLoader(accounts, ledger.events, ledger.snapshots),
    snapshots: ledger.snapshots,
    bus,
    deadLetters,
    source: "accounts",
    publish: { backoffMs: 1 },
    ...options,
  });
  return { dispatcher, deadLetters };
}

/** A projector with its own fresh read-model table on DynamoDB Local. */
export async function projectorFor<S>(ledger: BankLedger, projection: Projection<S>) {
  const client = await rawClient();
  const tableName = uniqueTableName(`rm-${projection.name}`);
  await createTable(client, tableName, READ_MODEL_TABLE);
  client.destroy();
  const readModel = new DynamoDbReadModel(ledger.db, tableName);
  const deadLetters = new InMemoryDeadLetters();
  const projector = new Projector({ projection, readModel, snapshots: ledger.snapshots, deadLetters });
  return { projector, readModel, deadLetters, tableName };
}

let messageCounter = 0;
/** Queue messages shaped as EventBridge delivers them to SQS. */
export const queueMessages = (messages: readonly StateCarriedMessage[]): QueueMessage[] =>
  messages.map((detail) => ({
    messageId: `msg-${++messageCounter}`,
    body: JSON.stringify({ source: "accounts", "detail-type": detail.event.type, detail }),
  }));

export const recordsOf = (events: readonly LedgerEvent[]): StreamRecord[] => events.map((event) => streamRecord({ ...event }));
