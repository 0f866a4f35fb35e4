import { DynamoDbEventStore } from "../../handlers/runtime/aws/dynamoDbEventStore";
import { DynamoDbReadModel } from "../../handlers/runtime/aws/dynamoDbReadModel";
import { SqsDeadLetterQueueReader, SqsRedriveTargets } from "../../handlers/runtime/aws/sqsDeadLetterRedrive";
import { Aggregate, Domain, validateEvent } from "../../handlers/runtime/domain/domain";
import { emptyAggregate, fold } from "../../handlers/runtime/domain/fold";
import { PROJECTION_VERSION_ATTRIBUTE } from "../../handlers/runtime/ledger/conventions";
import { snapshotChecksum, snapshotProblem } from "../../handlers/runtime/ledger/snapshots";
import { listDeadLetters } from "../../handlers/runtime/operations/deadLetterRedrive/redrive";
import { ReadModelSnapshotSource } from "../../handlers/runtime/projection/readModelSnapshots";
import { COMMON_OPTIONS, flag, integer, list, text } from "../args";
import { CONNECTION_OPTIONS } from "../awsClients";
import { defineCommand } from "../command";
import { UsageError, onResource } from "../errors";
import { letterNamesAggregate } from "../letterAggregates";
import { loadDomain } from "../modules";
import { requireTables, table } from "../preflight";
import { letterJson, letterLine } from "./dlq";

const options = {
  "ledger-table": text({ required: true, value: "<table>", description: "the ledger's events table (stack output ledgerTableName)" }),
  from: integer({ min: 1, default: 1, description: "the first version of the events listed" }),
  to: integer({ min: 1, description: "the last version of the events listed (default: the aggregate's last)" }),
  at: integer({ min: 0, description: "the version to show the state at, folded with --domain (default with --domain: the last listed)" }),
  domain: text({
    value: "<file>",
    description: "the module exporting the domain that folds the events into the state (a .ts file needs ts-node)",
  }),
  export: text({ default: "default", value: "<name>", description: "the domain's export in that module" }),
  "read-model": list({
    value: "<name>=<table>",
    description: "a read model's table to show the aggregate's row of, e.g. balances=accounts-balances-1a2b",
    check: (value) => (/^[^=\s]+=[^=\s]+$/.test(value) ? undefined : "takes <name>=<table>"),
  }),
  replica: text({
    value: "<table>",
    description: "the replica's table (an aggregateProjection): its row, whether its checksum holds and it matches the ledger",
  }),
  dlq: list({
    value: "<dlq url>",
    description: "a dead-letter queue to look for letters naming the aggregate in (read and left in the queue)",
  }),
  limit: integer({ min: 1, default: 1000, description: "read at most this many messages of each --dlq" }),
  json: flag({ description: "one JSON document instead of text" }),
  ...CONNECTION_OPTIONS,
  ...COMMON_OPTIONS,
};

const plainEvent = (item: Record<string, unknown>) => ({
  version: item.version,
  type: item.type,
  timestamp: item.timestamp,
  payload: item.payload,
  ...(item.payloadVersion !== undefined ? { payloadVersion: item.payloadVersion } : {}),
  ...(item.metadata !== undefined ? { metadata: item.metadata } : {}),
  ...(item.commitId !== undefined ? { commitId: item.commitId } : {}),
});

const indent = (text: string, by = "    ") =>
  text
    .split("\n")
    .map((line) => `${by}${line}`)
    .join("\n");

/** The aggregate at each asked version, from one fold of its events. */
function statesAt(domain: Domain<unknown, unknown>, aggregateId: string, items: Record<string, unknown>[], versions: number[]) {
  const wanted = new Set(versions);
  const states = new Map<number, Aggregate<unknown>>();
  const start = emptyAggregate(domain, aggregateId);
  if (wanted.has(0)) states.set(0, start);
  fold(
    domain,
    start,
    items.map((item) => validateEvent(domain, item)),
    (aggregate) => void (wanted.has(aggregate.version) && states.set(aggregate.version, aggregate)),
  );
  return states;
}

export const inspect = defineCommand({
  name: "inspect",
  summary: "shows an aggregate: its events, its state at a version, its rows in read models and the replica, and dead letters naming it",
  positionals: [{ name: "aggregateId", description: "the aggregate to show", required: true }],
  options,
  examples: [
    "event-ledger inspect acc-42 --ledger-table accounts-ledger-1a2b --domain lib/domain.js --export accounts --at 7 --read-model balances=accounts-balances-table-3c4d --dlq https://sqs.eu-west-1.amazonaws.com/123456789012/accounts-balances-dlq",
    "event-ledger inspect acc-42 --endpoint http://127.0.0.1:8000 --ledger-table accounts-ledger --domain examples/accounts/domain.ts --export accounts --read-model balances=accounts-balances --json",
  ],
  async run(values, [aggregateId], { io, clients: connect }) {
    if (values.at !== undefined && values.domain === undefined)
      throw new UsageError("--at needs --domain <file>: the domain folds the events into the state");
    if (values.to !== undefined && values.to < values.from) throw new UsageError(`--to ${values.to} is below --from ${values.from}`);
    const domain = values.domain !== undefined ? await loadDomain(values.domain, values.export) : undefined;
    const readModels = values["read-model"].map((pair) => {
      const [name, tableName] = pair.split("=");
      return { name, tableName };
    });
    const clients = connect({ region: values.region, endpoint: values.endpoint });
    const ledgerTable = values["ledger-table"];
    const ledger = table("--ledger-table", ledgerTable);
    await requireTables(clients.dynamodb, [
      ledger,
      ...readModels.map((model) => table("--read-model", model.tableName)),
      ...(values.replica ? [table("--replica", values.replica)] : []),
    ]);
    const db = clients.documentClient;
    const store = new DynamoDbEventStore(db, ledgerTable);
    const [last] = await onResource(ledger, () => store.readLatest(aggregateId, 1));
    if (!last) {
      io.err(`aggregate "${aggregateId}" has no events in ${ledgerTable}: check the id (and --ledger-table)\n`);
      return 1;
    }
    const lastVersion = last.version as number;
    if (values.at !== undefined && values.at > lastVersion)
      throw new UsageError(`--at ${values.at} is past the last version of "${aggregateId}" (${lastVersion})`);
    const to = Math.min(values.to ?? lastVersion, lastVersion);
    const listed = values.from > to ? [] : await onResource(ledger, () => store.read(aggregateId, values.from - 1, to));

    const rows = await Promise.all(
      readModels.map(async (model) => {
        const row = await onResource(table("--read-model", model.tableName), () =>
          new DynamoDbReadModel(db, model.tableName).get(aggregateId),
        );
        const version = row?.[PROJECTION_VERSION_ATTRIBUTE] as number | undefined;
        return { ...model, row, version, behind: version === undefined ? undefined : lastVersion - version };
      }),
    );
    const replicaRow = values.replica
      ? await onResource(table("--replica", values.replica), () =>
          new ReadModelSnapshotSource(new DynamoDbReadModel(db, values.replica!)).latest(aggregateId),
        )
      : undefined;

    const stateVersion = values.at ?? to;
    let state: Aggregate<unknown> | undefined;
    let replicaMatches: boolean | undefined;
    if (domain) {
      const versions = [stateVersion, ...(replicaRow ? [replicaRow.version] : [])];
      const upTo = Math.max(...versions);
      const history = upTo === 0 ? [] : await onResource(ledger, () => store.read(aggregateId, 0, upTo));
      const states = statesAt(domain, aggregateId, history, versions);
      state = states.get(stateVersion);
      if (replicaRow) {
        const atReplica = states.get(replicaRow.version);
        replicaMatches =
          atReplica !== undefined &&
          snapshotChecksum({
            aggregateId,
            version: replicaRow.version,
            schemaVersion: replicaRow.schemaVersion,
            state: atReplica.state,
          }) === snapshotChecksum(replicaRow);
      }
    }
    const replicaProblem = replicaRow
      ? domain
        ? snapshotProblem(domain, aggregateId, replicaRow)
        : replicaRow.checksum === snapshotChecksum(replicaRow)
          ? undefined
          : "checksum does not match its content"
      : undefined;

    const letters = [];
    for (const queueUrl of values.dlq) {
      const { letters: held, more } = await onResource({ kind: "queue", name: queueUrl, flag: "--dlq" }, () =>
        listDeadLetters(new SqsDeadLetterQueueReader(clients.sqs, queueUrl), {
          limit: values.limit,
          targets: new SqsRedriveTargets(clients.sqs),
        }),
      );
      letters.push({ queueUrl, more, letters: held.filter((letter) => letterNamesAggregate(letter.message.body, aggregateId)) });
    }

    if (values.json) {
      io.out(
        `${JSON.stringify(
          {
            aggregateId,
            ledgerTable,
            lastVersion,
            events: listed.map(plainEvent),
            ...(state ? { state: { version: state.version, state: state.state } } : {}),
            readModels: rows.map(({ name, tableName, row, version, behind }) => ({
              name,
              table: tableName,
              row: row ?? null,
              version,
              behind,
            })),
            ...(values.replica
              ? {
                  replica: {
                    table: values.replica,
                    version: replicaRow?.version,
                    state: replicaRow?.state,
                    problem: replicaProblem,
                    matchesLedger: replicaMatches,
                  },
                }
              : {}),
            deadLetters: letters.map((queue) => ({ queueUrl: queue.queueUrl, more: queue.more, letters: queue.letters.map(letterJson) })),
          },
          null,
          2,
        )}\n`,
      );
      return 0;
    }

    const out: string[] = [`aggregate ${aggregateId}: ${lastVersion} events in ${ledgerTable}`];
    out.push(listed.length > 0 ? `events ${values.from}..${to}:` : `no events from version ${values.from}`);
    for (const item of listed)
      out.push(
        `  v${item.version}  ${item.timestamp}  ${item.type}  ${JSON.stringify(item.payload)}${item.commitId ? `  commit ${item.commitId}` : ""}`,
      );
    if (state)
      out.push(
        `state at version ${state.version} (folded with ${values.export} of ${values.domain}):`,
        indent(JSON.stringify(state.state, null, 2)),
      );
    for (const { name, tableName, row, version, behind } of rows) {
      if (!row) out.push(`read model ${name} (${tableName}): no row`);
      else {
        const { id: _id, [PROJECTION_VERSION_ATTRIBUTE]: _version, ...fields } = row;
        out.push(
          `read model ${name} (${tableName}): version ${version}${behind === 0 ? " (current)" : behind !== undefined ? ` (${behind} behind the ledger)` : ""}`,
          indent(JSON.stringify(fields, null, 2)),
        );
      }
    }
    if (values.replica) {
      if (!replicaRow) out.push(`replica (${values.replica}): no row`);
      else
        out.push(
          `replica (${values.replica}): version ${replicaRow.version}${replicaRow.version === lastVersion ? " (current)" : ` (${lastVersion - replicaRow.version} behind the ledger)`}; ` +
            `${replicaProblem ? `not usable: ${replicaProblem}` : "checksum holds"}` +
            `${replicaMatches === undefined ? "" : replicaMatches ? "; matches the ledger at its version" : "; DIFFERS from the ledger's state at its version"}`,
        );
    }
    for (const queue of letters) {
      out.push(
        `dead letters naming ${aggregateId} in ${queue.queueUrl}: ${queue.letters.length}${queue.more ? ` (more than the ${values.limit} read: raise --limit)` : ""}`,
      );
      for (const letter of queue.letters) out.push(indent(letterLine(letter), "  "));
    }
    io.out(`${out.join("\n")}\n`);
    return 0;
  },
});
