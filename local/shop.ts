/**
 * The shop scenario of the local stage: orders placed over HTTP on the orders API, then payments,
 * shipping and the orders' own reactions carry each order to its end across the three services,
 * under whatever chaos the network runs with; then every promise checked against the ledgers.
 */
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient } from "../handlers/runtime/aws/documentClient";
import { DynamoDbEventStore } from "../handlers/runtime/aws/dynamoDbEventStore";
import { DynamoDbReadModel } from "../handlers/runtime/aws/dynamoDbReadModel";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Domain, LedgerEvent, isReplay } from "../handlers/runtime/domain/domain";
import { AggregateLoader } from "../handlers/runtime/ledger/aggregateLoader";
import { IDEMPOTENCY_PARTITION_KEY } from "../handlers/runtime/ledger/conventions";
import { reactionCommandKey } from "../handlers/runtime/reaction/checkpoints";
import { REACTION_KEY_PREFIX } from "../handlers/runtime/command/idempotency";
import { forEachLimit } from "../handlers/runtime/support/concurrency";
import { CAPTURE_LIMIT, REVIEW_LIMIT } from "../examples/shop/payments";
import { PAYMENT_TIMEOUT_MINUTES } from "../examples/shop/orders";
import { LocalNetwork } from "./network";
import { Random } from "./random";

export interface ShopOptions {
  orders: number;
  seed: number;
  concurrency: number;
}

/** What each order becomes, by its amount: the oracle the checks hold the services to. */
type Fate = "shipped" | "refused" | "unpaid";
const fateOf = (amount: number): Fate => (amount <= CAPTURE_LIMIT ? "shipped" : amount <= REVIEW_LIMIT ? "refused" : "unpaid");

/** The events each service's ledger ends with for an order of each fate: no more, no fewer. */
const EXPECTED: Record<Fate, Record<string, string[]>> = {
  shipped: { orders: ["OrderPlaced", "OrderPaid", "OrderShipped"], payments: ["PaymentCaptured"], shipping: ["ShipmentDispatched"] },
  refused: { orders: ["OrderPlaced", "OrderCancelled"], payments: ["PaymentRefused"], shipping: [] },
  unpaid: { orders: ["OrderPlaced", "OrderCancelled"], payments: ["PaymentHeld", "PaymentVoided"], shipping: [] },
};

export interface ShopReport {
  placed: Record<Fate, number>;
  /** HTTP answers that said "try again" (503) and were sent again with the same idempotency key. */
  resent: number;
  /** What each reactor did, summed over its invocations. */
  reactors: {
    service: string;
    name: string;
    acted: number;
    superseded: number;
    applied: number;
    repeated: number;
    rejected: number;
    scheduled: number;
  }[];
  problems: string[];
  /** Checks every promise again (after an operator's redrive, say): the problems found now. */
  check(): Promise<string[]>;
}

/**
 * Places `orders` orders through the orders API (amounts drawn so that every fate occurs), lets the
 * services settle, moves the clock past the payment timeout, settles again, then checks: every order
 * ended as its amount says, each ledger holds exactly the events its fate implies, every source event
 * of a reaction got its command exactly once (one idempotency record per event, none extra), every
 * read model equals its ledger, nothing is queued or scheduled, and no message was dead-lettered.
 */
export async function runShop(network: LocalNetwork, options: ShopOptions): Promise<ShopReport> {
  const orders = network.stage("orders");
  const api = await orders.serveCommandApi(0, {});
  const random = new Random(options.seed * 31 + 7);
  const placed: Record<Fate, number> = { shipped: 0, refused: 0, unpaid: 0 };
  const ids = Array.from({ length: options.orders }, (_, index) => `order-${String(index + 1).padStart(4, "0")}`);
  const amounts = new Map(ids.map((id, index) => [id, [120, 2_500, 8_000][index % 3] + random.integer(0, 400)]));
  let resent = 0;
  await forEachLimit(ids, options.concurrency, async (id) => {
    const amount = amounts.get(id)!;
    placed[fateOf(amount)] += 1;
    // A client sends again, with the same key, whatever answered "try again".
    for (let attempt = 1; ; attempt += 1) {
      const response = await fetch(`${api.url}/aggregates/${id}/commands`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": `place-${id}` },
        body: JSON.stringify({ type: "PlaceOrder", customerId: `customer-${amount % 7}`, amount }),
      });
      if (response.status === 200) return;
      if (response.status !== 503 || attempt === 20)
        throw new Error(`PlaceOrder ${id} answered ${response.status}: ${await response.text()}`);
      resent += 1;
    }
  });
  await network.settle();
  await network.advance((PAYMENT_TIMEOUT_MINUTES + 1) * 60_000);
  const problems = await checkShop(network, ids, amounts);
  const reactors = [...network.stages].flatMap(([service, stage]) =>
    stage.reactors.map((local) => ({ service, name: local.reaction.name, ...local.totals })),
  );
  return { placed, resent, reactors, problems, check: () => checkShop(network, ids, amounts) };
}

async function checkShop(network: LocalNetwork, ids: string[], amounts: Map<string, number>): Promise<string[]> {
  const problems: string[] = [];
  // The checks read with a client of their own: no fault the run injects reaches them.
  const db = documentClient(new DynamoDBClient(network.dynamo.config));
  const ledgers = new Map<string, Map<string, LedgerEvent[]>>();
  try {
    for (const [service, stage] of network.stages) {
      if (!["orders", "payments", "shipping"].includes(service)) continue;
      const events = new DynamoDbEventStore(db, `${service}-ledger`);
      const loader = new AggregateLoader(stage.loader.domain as Domain<unknown, unknown>, events);
      const byId = new Map<string, LedgerEvent[]>();
      for (const id of ids) byId.set(id, await loader.readEvents(id, 0));
      ledgers.set(service, byId);
      // Each order's events in each ledger are exactly what its fate implies.
      for (const id of ids) {
        const fate = fateOf(amounts.get(id)!);
        const types = byId
          .get(id)!
          .filter((event) => !isReplay(event))
          .map((event) => event.type);
        if (JSON.stringify(types) !== JSON.stringify(EXPECTED[fate][service]))
          problems.push(
            `${service} ${id} (${fate}): events ${types.join(", ") || "none"}, expected ${EXPECTED[fate][service].join(", ") || "none"}`,
          );
      }
      // Every read model equals the fold of its ledger.
      for (const local of stage.projectors) {
        const rows = new DynamoDbReadModel(db, local.tableName);
        for (const id of ids) {
          const history = byId.get(id)!;
          const row = await rows.get(id);
          if (history.length === 0) {
            if (row) problems.push(`${local.tableName} ${id}: a row for an aggregate with no event`);
            continue;
          }
          const aggregate = await loader.load(id);
          const expected = { ...local.projection.project(aggregate, history.at(-1)!), version: aggregate.version };
          const { id: _key, ...held } = row ?? {};
          void _key;
          if (JSON.stringify(sorted(held)) !== JSON.stringify(sorted(expected)))
            problems.push(`${local.tableName} ${id}: row ${JSON.stringify(held)}, ledger says ${JSON.stringify(expected)}`);
        }
      }
    }
    // Every source event a reaction takes got its command exactly once: one key per event, none missing, none extra.
    for (const [service, stage] of network.stages) {
      if (stage.reactors.length === 0) continue;
      const held = await reactionKeys(db, `${service}-idempotency`);
      for (const local of stage.reactors) {
        const expected = new Set<string>();
        for (const [aggregateId, history] of ledgers.get(local.sourceService) ?? new Map<string, LedgerEvent[]>())
          for (const event of history)
            if (local.reaction.eventTypes.includes(event.type))
              expected.add(
                reactionCommandKey(local.reaction.name, { service: local.sourceService, aggregateId, version: event.version }, 0),
              );
        const prefix = `reaction:${local.reaction.name}:`;
        const found = new Set([...held].filter((key) => key.startsWith(prefix)));
        const missing = [...expected].filter((key) => !found.has(key)).length;
        const extra = [...found].filter((key) => !expected.has(key)).length;
        if (missing > 0 || extra > 0)
          problems.push(
            `reactor ${local.reaction.name}: ${missing} source events without their command, ${extra} commands of no source event`,
          );
        if (local.totals.rejected > 0) problems.push(`reactor ${local.reaction.name}: ${local.totals.rejected} commands rejected`);
      }
    }
    for (const [service, stage] of network.stages) {
      const queued = stage.queues.filter((queue) => !queue.name.endsWith("-dlq") && queue.depth > 0);
      for (const queue of queued) problems.push(`${service}: ${queue.depth} messages still queued in ${queue.name}`);
      if (stage.scheduledCommands > 0) problems.push(`${service}: ${stage.scheduledCommands} commands still scheduled`);
    }
    for (const letter of network.deadLetters) problems.push(`dead letter in ${letter.service} ${letter.queue}: ${letter.reason}`);
  } finally {
    db.destroy();
  }
  return problems;
}

/** The reaction command keys an idempotency table holds. */
async function reactionKeys(db: ReturnType<typeof documentClient>, table: string): Promise<Set<string>> {
  const keys = new Set<string>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: table,
        ExclusiveStartKey: startKey,
        FilterExpression: "begins_with(#key, :prefix)",
        ExpressionAttributeNames: { "#key": IDEMPOTENCY_PARTITION_KEY },
        ExpressionAttributeValues: { ":prefix": REACTION_KEY_PREFIX },
      }),
    );
    for (const item of page.Items ?? []) keys.add(item[IDEMPOTENCY_PARTITION_KEY] as string);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return keys;
}

const sorted = (value: Record<string, unknown>) => Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
