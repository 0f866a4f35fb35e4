import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
/**
 * Stubs an AWS SDK v3 client at the client level: `send` answers from `respond` and
 * every command's input is recorded. The command classes and inputs stay the real ones.
 */
export function stubSend<C extends { send: unknown }>(
  client: C,
  respond: (command: { constructor: { name: string }; input: any }, call: number) => unknown,
) {
  const calls: { name: string; input: any }[] = [];
  (client as { send: unknown }).send = async (command: { constructor: { name: string }; input: unknown }) => {
    calls.push({ name: command.constructor.name, input: command.input });
    return respond(command as never, calls.length);
  };
  return calls;
}

/**
 * Stubs a DynamoDB client below every document client built on it: each call is recorded (the
 * operation's command name and its wire-format input) and answered by `respond`, nothing is sent.
 */
export function stubDynamoDb(
  client: { middlewareStack: { add: (...args: any[]) => void } },
  respond: (operation: string, input: any) => unknown,
) {
  const calls: { name: string; input: any }[] = [];
  client.middlewareStack.add(
    () => async (args: { input: any }) => {
      return { output: { $metadata: {}, ...(respond(String(contextName.current), args.input) as object) }, response: {} };
    },
    { step: "initialize", name: "stubDynamoDb", priority: "low" },
  );
  client.middlewareStack.add(
    (next: (args: unknown) => unknown, context: { commandName?: string }) => async (args: { input: any }) => {
      contextName.current = context.commandName ?? "unknown";
      calls.push({ name: contextName.current, input: args.input });
      return next(args);
    },
    { step: "initialize", name: "recordDynamoDb", priority: "high" },
  );
  const contextName = { current: "" };
  return calls;
}

/** A DynamoDB client whose every call fails with `error()`, as an answer that arrives after the SDK's own retries; nothing is sent. */
export function failingDynamoDb(error: () => Error): DynamoDBClient {
  const client = new DynamoDBClient({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  client.middlewareStack.add(
    () => async () => {
      throw error();
    },
    { step: "initialize", name: "failEveryCall", priority: "high" },
  );
  return client;
}

/** An AWS service error as the SDK throws it: its name, fault and status, after `attempts` attempts. */
export const serviceError =
  (name: string, status: number, message = `injected ${name}`, attempts = 3) =>
  () =>
    Object.assign(new Error(message), {
      name,
      $fault: status >= 500 ? "server" : "client",
      $metadata: { httpStatusCode: status, attempts },
    });
