import { existsSync } from "node:fs";
import * as path from "node:path";
import { COMMON_OPTIONS, flag, integer } from "../args";
import { defineCommand } from "../command";
import { UsageError } from "../errors";
import { ModuleLoadError, canRunTypeScript } from "../modules";

/** What local/dev.ts exports: the development loop of the local stage. */
interface DevModule {
  runDev(options: { program: string; port: number; watch: boolean; say: (line: string) => void }): Promise<number>;
}

// Resolved when the command runs, not when the table is read: the other commands never load the local stage.
const DEV_MODULE = "../../local/dev";

export const dev = defineCommand({
  name: "dev",
  summary: "runs your Pulumi program's services on this machine, with their real handler code, while you edit them",
  description:
    "Composes the program under Pulumi mocks (nothing is deployed), then runs each service it declares on DynamoDB Local " +
    "(started and stopped by this command; it needs Java 17 and the amplify-dynamodb-simulator package): the ledger's " +
    "stream into the dispatcher, the bus, the projectors' and reactors' queues, and every CommandApi on localhost. " +
    "A change to a file under the program's folder loads the program again; the tables keep what they hold. Ctrl-C stops it.",
  positionals: [{ name: "program", description: "the Pulumi program's entry file (default index.ts)" }],
  options: {
    port: integer({ min: 1, default: 3000, description: "the first CommandApi's port; the next ones count up from it" }),
    "no-watch": flag({ description: "do not load the program again when a file changes" }),
    ...COMMON_OPTIONS,
  },
  examples: ["event-ledger dev", "event-ledger dev infra/index.ts --port 4000"],
  async run(values, positionals, context) {
    const program = positionals[0] ?? "index.ts";
    if (!existsSync(path.resolve(program)))
      throw new UsageError(`${program}: no such file (from ${process.cwd()}); give the program's entry file`);
    if (/\.[mc]?tsx?$/.test(program)) await canRunTypeScript("program", program);
    let module: DevModule;
    try {
      module = (await import(DEV_MODULE)) as DevModule;
    } catch (error) {
      throw new ModuleLoadError("event-ledger dev needs the local stage (local/dev), which this installation does not have", {
        cause: error,
      });
    }
    return module.runDev({ program, port: values.port as number, watch: !values["no-watch"], say: (line) => context.io.out(`${line}\n`) });
  },
});
