/**
 * Faults injected into a real AWS SDK v3 client through its middleware stack: the code under
 * test is untouched and the SDK's own retry logic runs as it would against AWS.
 */

/** Any SDK v3 client (or document client, which shares its client's stack). */
interface MiddlewareClient {
  middlewareStack: { add(middleware: any, options: any): void };
}

export interface FaultPlan {
  /** Which calls the fault applies to: the command name without "Command", e.g. "PutItem" or "TransactWriteItems". */
  operation: string;
  /** How many matching calls get it; Infinity for every one. Default 1. */
  times?: number;
}

let faultCounter = 0;

/**
 * The request reaches DynamoDB and takes effect, then its answer is lost: the SDK sees a
 * TimeoutError after the write happened (and retries it as a transient error).
 */
export function loseAnswers(client: MiddlewareClient, plan: FaultPlan): { lost: number } {
  const state = { lost: 0 };
  let remaining = plan.times ?? 1;
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const result = await next(args);
      if (context.commandName === `${plan.operation}Command` && remaining > 0) {
        remaining -= 1;
        state.lost += 1;
        throw Object.assign(new Error(`injected: the answer to ${plan.operation} was lost after it took effect`), { name: "TimeoutError" });
      }
      return result;
    },
    { step: "deserialize", name: `loseAnswers-${++faultCounter}`, priority: "low" },
  );
  return state;
}
