/**
 * Requests per reaction: a reactor's DynamoDB requests for each source event it acts on, by
 * operation, beside the floor (one command write per reaction), for the reacting command side's
 * three starts: deciding on a memory the ledger proved within the second (the default), reading
 * the ledger's tail first, and deciding on the aggregate the warm function remembers however old.
 * Run alone: npm run bench -- --only reactions.
 */
import { DynamoDBClient, DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { defineContract } from "../handlers/runtime/contracts/contract";
import { StartPolicy } from "../handlers/runtime/ledger/conventions";
import { IDEMPOTENCY_TABLE, LEDGER_TABLE, SNAPSHOT_TABLE } from "../handlers/runtime/ledger/tableSchemas";
import { defineDomain } from "../handlers/runtime/domain/domain";
import { InMemoryDeadLetters } from "../handlers/runtime/memory/deadLetters";
import { reactionsOf } from "../handlers/runtime/reaction/reaction";
import { ReactorMessage } from "../handlers/runtime/reaction/reactor";
import { dynamoDbReactor } from "../handlers/runtime/aws/factories";
import { RequestCounter, countedDocumentClient } from "../local/instruments";
import { createTable } from "../local/tables";

type Placed = { type: "OrderPlaced"; payload: { orderId: string; customerId: string } };
const orders = defineContract<Placed>({
  service: "orders",
  name: "orders",
  version: 1,
  eventTypes: {
    OrderPlaced: {
      type: "object",
      properties: { orderId: { type: "string" }, customerId: { type: "string" } },
      required: ["orderId", "customerId"],
    },
  },
});

/** The reacting service: a tally of orders per customer, so that each target aggregate gets many reactions. */
const tallies = defineDomain<{ orders: number }, { kind: "Count"; orderId: string }, { type: "Counted"; payload: { orderId: string } }>({
  name: "Tally",
  schemaVersion: 1,
  initialState: () => ({ orders: 0 }),
  eventTypes: { Counted: () => undefined },
  reduce: (state) => ({ orders: state.orders + 1 }),
  decide: (_state, command) => [{ type: "Counted", payload: { orderId: command.orderId } }],
});

const countOrders = reactionsOf(tallies).define({
  name: "count-orders",
  source: { contract: orders },
  eventTypes: ["OrderPlaced"],
  react: ({ event }) => ({ aggregateId: `tally-${event.payload.customerId}`, command: { kind: "Count", orderId: event.payload.orderId } }),
});

const EVENTS = 400;
const CUSTOMERS = 20;

/** The queue's messages: one OrderPlaced per order, the orders spread over the customers. */
const messages = (): ReactorMessage[] =>
  Array.from({ length: EVENTS }, (_, index) => {
    const orderId = `order-${index}`;
    const detail = {
      contract: "orders",
      contractVersion: 1,
      service: "orders",
      aggregateId: orderId,
      version: 1,
      timestamp: new Date(Date.UTC(2026, 11, 1, 12, 0, 0, index)).toISOString(),
      type: "OrderPlaced",
      payload: { orderId, customerId: `c${index % CUSTOMERS}` },
    };
    return { messageId: orderId, body: JSON.stringify({ source: "orders", "detail-type": "orders.v1.OrderPlaced", detail }) };
  });

export interface ReactionRow {
  start: StartPolicy;
  perReaction: number;
  byOperation: Record<string, number>;
  acted: number;
}

let runs = 0;

/** One reactor over fresh tables, fed the queue in batches of 10 as Lambda polls it; its requests counted. */
async function measure(raw: DynamoDBClient, config: DynamoDBClientConfig, start: StartPolicy): Promise<ReactionRow> {
  const name = `bench-reactions-${++runs}`;
  await createTable(raw, `${name}-ledger`, { ...LEDGER_TABLE, stream: undefined });
  await createTable(raw, `${name}-snapshots`, SNAPSHOT_TABLE);
  await createTable(raw, `${name}-idempotency`, IDEMPOTENCY_TABLE);
  const requests = new RequestCounter();
  const db = countedDocumentClient(config, requests);
  const { reactor } = dynamoDbReactor({
    reaction: countOrders,
    client: db,
    ledgerTable: `${name}-ledger`,
    idempotencyTable: `${name}-idempotency`,
    snapshotTable: `${name}-snapshots`,
    deadLetters: new InMemoryDeadLetters(),
    commands: { start },
  });
  const queue = messages();
  let acted = 0;
  for (let at = 0; at < queue.length; at += 10) {
    const report = await reactor.react(queue.slice(at, at + 10));
    if (report.batchItemFailures.length > 0 || report.deadLettered > 0)
      throw new Error(`the bench's reactor failed a message: ${JSON.stringify(report)}`);
    acted += report.acted;
  }
  db.destroy();
  const byOperation = Object.fromEntries([...requests.byOperation].map(([operation, count]) => [operation, count / acted]));
  return { start, perReaction: requests.total / acted, byOperation, acted };
}

/** How each start is named in the table. */
const STARTS: Record<StartPolicy, string> = {
  "memory-first": "decides on a memory proven within the second, else reads (default)",
  "read-first": "reads the tail first",
  "decide-first": "decides on the remembered aggregate however old",
};

/** The section: the three starts measured in one run, with the floor beside them. */
export async function reactionRequests(
  raw: DynamoDBClient,
  config: DynamoDBClientConfig,
  out: (line: string) => void,
): Promise<ReactionRow[]> {
  const rows: ReactionRow[] = [];
  for (const start of Object.keys(STARTS) as StartPolicy[]) rows.push(await measure(raw, config, start));
  out("");
  out(`## Requests per reaction (${EVENTS} source events, ${CUSTOMERS} target aggregates, batches of 10)`);
  out("");
  out("| reacting command side | requests per reaction | by operation | floor |");
  out("| --- | ---: | --- | ---: |");
  for (const row of rows)
    out(
      `| ${STARTS[row.start]} | ${row.perReaction.toFixed(2)} | ${Object.entries(row.byOperation)
        .sort((a, b) => b[1] - a[1])
        .map(([operation, count]) => `${operation} ${count.toFixed(2)}`)
        .join(", ")} | 1.00 |`,
    );
  out("");
  out(
    "The floor is one command write per reaction. The checkpoint's claim and completion (two UpdateItems) are what keeps a reaction from ever acting on an older version after a newer one across instances; the command's own write is a transaction because its idempotency record goes with it.",
  );
  return rows;
}
