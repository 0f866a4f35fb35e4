/**
 * Seeded faults injected into real AWS SDK v3 clients as middleware, inside the SDK's own retry
 * loop, so the code under test and the SDK's retries run exactly as against AWS.
 */
import { SNAPSHOT_PARTITION_KEY, SNAPSHOT_SORT_KEY } from "../../handlers/runtime/ledger/conventions";
import { Random } from "../random";

/** Probability per request of each fault. */
export interface FaultRates {
  /** The request takes effect, then its answer is lost (a TimeoutError after the fact). */
  lostAnswer: number;
  /** Refused before taking effect: ProvisionedThroughputExceededException / ThrottlingException (400). */
  throttle: number;
  /** The request never reached the service: a TimeoutError before it was sent. */
  timeoutBefore: number;
  /** InternalServerError (500) without effect. */
  serverError: number;
  /** Batch APIs answer only part of the batch (UnprocessedKeys). */
  partialBatch: number;
}

export const DEFAULT_FAULT_RATES: FaultRates = {
  lostAnswer: 0.02,
  throttle: 0.02,
  timeoutBefore: 0.01,
  serverError: 0.01,
  partialBatch: 0.2,
};

export type FaultKind = keyof FaultRates;

/** What was injected, by kind and operation: the run's report and the harness's evidence that faults really happened. */
export class FaultLog {
  readonly byKind: Record<FaultKind, number> = { lostAnswer: 0, throttle: 0, timeoutBefore: 0, serverError: 0, partialBatch: 0 };
  readonly byOperation = new Map<string, number>();
  record(kind: FaultKind, operation: string): void {
    this.byKind[kind] += 1;
    this.byOperation.set(operation, (this.byOperation.get(operation) ?? 0) + 1);
  }
  get total(): number {
    return Object.values(this.byKind).reduce((sum, count) => sum + count, 0);
  }
}

interface MiddlewareClient {
  middlewareStack: { add(middleware: any, options: any): void };
}

const serviceError = (name: string, status: number, message: string) =>
  Object.assign(new Error(`injected: ${message}`), {
    name,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status },
  });

/**
 * Adds seeded faults to a client (a document client shares its client's stack). `operations`
 * limits them to some commands (e.g. only reads for a streams client); all by default.
 */
export function injectSdkFaults(
  client: MiddlewareClient,
  random: Random,
  rates: FaultRates,
  log: FaultLog,
  operations?: ReadonlySet<string>,
): void {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<{ output: Record<string, unknown> }>, context: { commandName?: string; clientName?: string }) =>
      async (args: unknown) => {
        const operation = String(context.commandName ?? "unknown").replace(/Command$/, "");
        if (operations && !operations.has(operation)) return next(args);
        const throttleName = context.clientName === "DynamoDBClient" ? "ProvisionedThroughputExceededException" : "ThrottlingException";
        if (random.chance(rates.throttle)) {
          log.record("throttle", operation);
          throw serviceError(throttleName, 400, `${operation} throttled`);
        }
        if (random.chance(rates.timeoutBefore)) {
          log.record("timeoutBefore", operation);
          throw Object.assign(new Error(`injected: ${operation} timed out before reaching the service`), { name: "TimeoutError" });
        }
        if (random.chance(rates.serverError)) {
          log.record("serverError", operation);
          throw serviceError("InternalServerError", 500, `${operation} failed inside the service`);
        }
        const result = await next(args);
        if (random.chance(rates.lostAnswer)) {
          log.record("lostAnswer", operation);
          throw Object.assign(new Error(`injected: the answer to ${operation} was lost after it took effect`), { name: "TimeoutError" });
        }
        if (operation === "BatchGetItem" && random.chance(rates.partialBatch)) {
          log.record("partialBatch", operation);
          return { ...result, output: withUnprocessedKeys(result.output, random) };
        }
        return result;
      },
    // Outside the deserializer (high priority in its step), so a partial answer edits the parsed
    // output; inside the SDK's retry loop (finalizeRequest), so its retries see every fault.
    { step: "deserialize", name: "injectedSdkFaults", priority: "high" },
  );
}

/** Moves about half of a BatchGetItem's answers back to UnprocessedKeys, as a throttled table does. */
function withUnprocessedKeys(output: Record<string, unknown>, random: Random): Record<string, unknown> {
  const responses = (output.Responses ?? {}) as Record<string, Record<string, unknown>[]>;
  const kept: Record<string, Record<string, unknown>[]> = {};
  const unprocessed: Record<string, { Keys: Record<string, unknown>[] }> = {};
  for (const [table, items] of Object.entries(responses)) {
    kept[table] = [];
    for (const item of items) {
      if (random.chance(0.5)) kept[table].push(item);
      else
        (unprocessed[table] ??= { Keys: [] }).Keys.push({
          [SNAPSHOT_PARTITION_KEY]: item[SNAPSHOT_PARTITION_KEY],
          [SNAPSHOT_SORT_KEY]: item[SNAPSHOT_SORT_KEY],
        });
    }
  }
  return { ...output, Responses: kept, UnprocessedKeys: unprocessed };
}
