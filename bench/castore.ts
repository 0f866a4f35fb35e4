/**
 * The same commands done the way Castore 2.4 does them on AWS, for the cost section: its DynamoDB
 * event storage adapter on DynamoDB Local (a consistent query of the aggregate's whole history,
 * then a conditional PutItem; the first event also enters its keys-only `initialEvents` index), a
 * ConnectedEventStore publishing each event with its aggregate from the command itself through
 * Castore's EventBridge adapter (one PutEvents call per event), and, since Castore has no
 * projector, the read models written as its users write them: an SQS-fed Lambda per read model
 * putting each message's row with a plain PutItem. The EventBridge client is a stub that keeps
 * what it was sent; the consumers are run in-process after every round.
 */
import { performance } from "node:perf_hooks";
import { DynamoDBClient, DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand, PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { ConnectedEventStore, EventStore, EventType, StateCarryingMessageBus, isEventAlreadyExistsError } from "@castore/core";
import { DynamoDBSingleTableEventStorageAdapter } from "@castore/event-storage-adapter-dynamodb";
import { EventBridgeMessageBusAdapter } from "@castore/message-bus-adapter-event-bridge";
import { AccountCommand, AccountState, accounts } from "../examples/accounts/domain";
import { isRejection, LedgerEvent, Recorded } from "../handlers/runtime/domain/domain";
import { PROJECTION_PARTITION_KEY } from "../handlers/runtime/ledger/conventions";
import { READ_MODEL_TABLE, TableSchema } from "../handlers/runtime/ledger/tableSchemas";
import { Projection } from "../handlers/runtime/projection/projection";
import { forEachLimit } from "../handlers/runtime/support/concurrency";
import { createTable } from "../local/tables";
import { CapacityMeter } from "./capacityUnits";

/** Castore's single-table event table: aggregateId and version, and the `initialEvents` index of first events. */
export const CASTORE_EVENT_TABLE: TableSchema = {
  partitionKey: { name: "aggregateId", type: "S" },
  sortKey: { name: "version", type: "N" },
  indexes: [{ name: "initialEvents", partitionKey: { name: "eventStoreId", type: "S" }, sortKey: { name: "timestamp", type: "S" } }],
};

/** A command as the workload sent it. */
export interface SentCommand {
  id: string;
  command: AccountCommand;
}

/** What the Castore run did: its commands, events, the two functions' invocations and its messages. */
export interface CastoreRun {
  commands: number;
  events: number;
  /** Commands whose push met a concurrent one and went again (a new read and push each time). */
  retries: number;
  /** Milliseconds of each command (read, decide, push, publish), as its Lambda would run it. */
  commandMs: number[];
  /** PutEvents calls and each entry's size (Castore's adapter sends one entry per call). */
  putEvents: PutEventsRequestEntry[];
  /** Per read model: the bytes of each message of each batch its queue delivered, and each batch's milliseconds. */
  consumers: { projection: string; batches: number[][]; batchMs: number[] }[];
}

type CastoreAggregate = { aggregateId: string; version: number; state: AccountState };
type CastoreEvent = { aggregateId: string; version: number; type: string; timestamp: string; payload?: unknown };

/** The tables the run creates, for the meter. */
export const castoreTables = (projections: readonly Projection<AccountState>[]): Record<string, TableSchema> => ({
  "castore-events": CASTORE_EVENT_TABLE,
  ...Object.fromEntries(projections.map((projection) => [`castore-${projection.name}`, READ_MODEL_TABLE])),
});

/**
 * Runs `commands` through Castore as the workload sent them: the first `sequential` one at a time
 * (opening and funding the accounts), the rest in rounds of 100, `concurrency` at a time; each
 * round's messages then go through the read-model consumers in batches of 10. The meter charges
 * the command's requests to "castore:command" and the consumers' to "castore:projector".
 */
export async function castoreWorkload(
  config: DynamoDBClientConfig,
  meter: CapacityMeter,
  commands: readonly SentCommand[],
  projections: readonly Projection<AccountState>[],
  options: { sequential: number; concurrency: number },
): Promise<CastoreRun> {
  const raw = new DynamoDBClient(config);
  for (const [table, schema] of Object.entries(castoreTables(projections))) await createTable(raw, table, schema);
  raw.destroy();
  const client = meter.watch(new DynamoDBClient(config), (table) => (table === "castore-events" ? "castore:command" : "castore:projector"));
  const documents = DynamoDBDocumentClient.from(client);
  const published: PutEventsRequestEntry[] = [];
  const eventBridgeClient = {
    send: async (command: PutEventsCommand) => {
      published.push(...(command.input.Entries ?? []));
      return { FailedEntryCount: 0, Entries: (command.input.Entries ?? []).map(() => ({ EventId: "castore" })) };
    },
  } as unknown as EventBridgeClient;
  const store = new EventStore({
    eventStoreId: "ACCOUNTS",
    eventTypes: Object.keys(accounts.eventTypes).map((type) => new EventType({ type })),
    reducer: (aggregate: CastoreAggregate | undefined, event: CastoreEvent): CastoreAggregate => ({
      aggregateId: event.aggregateId,
      version: event.version,
      state: accounts.reduce(aggregate?.state ?? accounts.initialState(), event as unknown as Recorded<never>),
    }),
    eventStorageAdapter: new DynamoDBSingleTableEventStorageAdapter({ tableName: "castore-events", dynamoDBClient: client }),
  });
  const bus = new StateCarryingMessageBus({
    messageBusId: "accounts-bus",
    sourceEventStores: [store],
    messageBusAdapter: new EventBridgeMessageBusAdapter({ eventBusName: "accounts-bus", eventBridgeClient }),
  });
  const connected = new ConnectedEventStore(store, bus);
  const run: CastoreRun = {
    commands: 0,
    events: 0,
    retries: 0,
    commandMs: [],
    putEvents: published,
    consumers: projections.map((projection) => ({ projection: projection.name, batches: [], batchMs: [] })),
  };

  /** What a Castore command handler does: read the aggregate, decide, push (again after a conflict). */
  const handle = async ({ id, command }: SentCommand) => {
    const started = performance.now();
    for (let attempt = 1; ; attempt += 1) {
      const { aggregate } = (await connected.getAggregate(id)) as { aggregate?: CastoreAggregate };
      const version = aggregate?.version ?? 0;
      const state = aggregate?.state ?? accounts.initialState();
      const decision = accounts.decide(state, command, { aggregateId: id, version, state });
      if (isRejection(decision)) break;
      try {
        for (const [offset, event] of decision.entries()) {
          await connected.pushEvent(
            { aggregateId: id, version: version + offset + 1, type: event.type, payload: event.payload } as never,
            { prevAggregate: aggregate } as never,
          );
          run.events += 1;
        }
        break;
      } catch (error) {
        if (!isEventAlreadyExistsError(error) || attempt >= 10) throw error;
        run.retries += 1;
      }
    }
    run.commands += 1;
    run.commandMs.push(performance.now() - started);
  };

  /** One read model's Lambda on its queue: each message's row written with a plain PutItem. */
  const consume = async (projection: Projection<AccountState>, entries: PutEventsRequestEntry[], into: CastoreRun["consumers"][number]) => {
    const messages = entries
      .map((entry) => ({ entry, message: JSON.parse(entry.Detail!) as { event: CastoreEvent; aggregate: CastoreAggregate } }))
      .filter(({ message }) => projection.eventTypes.includes(message.event.type));
    for (let start = 0; start < messages.length; start += 10) {
      const batch = messages.slice(start, start + 10);
      into.batches.push(batch.map(({ entry }) => Buffer.byteLength(JSON.stringify(eventBridgeEnvelope(entry)))));
      const began = performance.now();
      for (const { message } of batch) {
        const { aggregate, event } = message;
        const row = projection.project(aggregate, { ...event, payload: event.payload ?? {} } as LedgerEvent);
        await documents.send(
          new PutCommand({
            TableName: `castore-${projection.name}`,
            Item: { ...row, [PROJECTION_PARTITION_KEY]: aggregate.aggregateId, version: aggregate.version },
          }),
        );
      }
      into.batchMs.push(performance.now() - began);
    }
  };

  try {
    for (let start = 0; start < commands.length;) {
      const end = Math.min(start + 100, start < options.sequential ? options.sequential : commands.length);
      const before = published.length;
      await forEachLimit(commands.slice(start, end), start < options.sequential ? 1 : options.concurrency, handle);
      start = end;
      const round = published.slice(before);
      await Promise.all(projections.map((projection, index) => consume(projection, round, run.consumers[index])));
    }
  } finally {
    client.destroy();
  }
  return run;
}

/** The envelope EventBridge delivers to a queue for an entry: what each SQS message holds. */
const eventBridgeEnvelope = (entry: PutEventsRequestEntry) => ({
  version: "0",
  id: "00000000-0000-0000-0000-000000000000",
  "detail-type": entry.DetailType,
  source: entry.Source,
  account: "000000000000",
  time: new Date(0).toISOString(),
  region: "us-east-1",
  resources: [],
  detail: JSON.parse(entry.Detail!),
});
