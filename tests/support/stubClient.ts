/**
 * Stubs an AWS SDK v3 client at the client level: `send` answers from `respond` and
 * every command's input is recorded. The command classes and inputs stay the real ones.
 */
export function stubSend<C extends { send: unknown }>(client: C, respond: (command: { constructor: { name: string }; input: any }, call: number) => unknown) {
  const calls: { name: string; input: any }[] = [];
  (client as { send: unknown }).send = async (command: { constructor: { name: string }; input: unknown }) => {
    calls.push({ name: command.constructor.name, input: command.input });
    return respond(command as never, calls.length);
  };
  return calls;
}
