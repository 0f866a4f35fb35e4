/**
 * IAM by observation: what a handler really sends (every SDK command, recorded at the client) as
 * the IAM actions and resources those calls need, to compare with the policy a component deploys.
 */

/** One SDK call as a handler made it. */
export interface ObservedCall {
  service: "dynamodb" | "events" | "sqs";
  operation: string;
  input: any;
}

/**
 * Records every command a real SDK client sends, before any retry, fault or transport. With
 * `respond`, the client is stubbed at client level: the answer comes from it and nothing is sent.
 */
export function observeClient(
  client: { middlewareStack: { add(middleware: any, options: any): void } },
  service: ObservedCall["service"],
  calls: ObservedCall[],
  respond?: (operation: string, input: any) => unknown,
): void {
  client.middlewareStack.add(
    (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) => async (args: { input: unknown }) => {
      const operation = String(context.commandName).replace(/Command$/, "");
      calls.push({ service, operation, input: args.input });
      return respond ? { output: respond(operation, args.input), response: {} } : next(args);
    },
    { step: "initialize", name: "observeCalls", priority: "high" },
  );
}

/** The resource a call names, as the kind of name the test can look up (table name, bus name, queue URL). */
export type NamedResource = { kind: "table" | "bus" | "queue"; name: string };

const TRANSACT_ACTIONS: Record<string, string> = {
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  ConditionCheck: "ConditionCheckItem",
};

/** The IAM (action, resource) pairs a call is authorized against. */
export function permissionsOf(call: ObservedCall): { action: string; resource: NamedResource }[] {
  const { service, operation, input } = call;
  if (service === "dynamodb") {
    const table = (name: string) => ({ kind: "table" as const, name });
    if (operation === "BatchGetItem" || operation === "BatchWriteItem")
      return Object.keys(input.RequestItems).map((name) => ({ action: `dynamodb:${operation}`, resource: table(name) }));
    // A transaction is authorized item by item, by the action each item performs.
    if (operation === "TransactWriteItems")
      return input.TransactItems.flatMap((item: Record<string, { TableName: string }>) =>
        Object.entries(item).map(([kind, body]) => ({ action: `dynamodb:${TRANSACT_ACTIONS[kind]}`, resource: table(body.TableName) })),
      );
    if (operation === "TransactGetItems")
      return input.TransactItems.map((item: { Get: { TableName: string } }) => ({
        action: "dynamodb:GetItem",
        resource: table(item.Get.TableName),
      }));
    return [{ action: `dynamodb:${operation}`, resource: table(input.TableName) }];
  }
  if (service === "events")
    return input.Entries.map((entry: { EventBusName: string }) => ({
      action: `events:${operation}`,
      resource: { kind: "bus", name: entry.EventBusName },
    }));
  // SendMessageBatch is authorized as sqs:SendMessage.
  const action = operation === "SendMessageBatch" ? "SendMessage" : operation.replace(/Batch$/, "");
  return [{ action: `sqs:${action}`, resource: { kind: "queue", name: input.QueueUrl } }];
}

/** Statements of a policy document as sorted "action resource" lines, leaving out some Sids. */
export function grantedLines(policy: string, leaveOut: readonly string[]): string[] {
  const lines = new Set<string>();
  for (const statement of JSON.parse(policy).Statement as { Sid: string; Action: string[]; Resource: string[] }[]) {
    if (leaveOut.includes(statement.Sid)) continue;
    for (const action of statement.Action) for (const resource of statement.Resource) lines.add(`${action} ${resource}`);
  }
  return [...lines].sort();
}
