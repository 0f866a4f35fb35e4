import { COMMON_OPTIONS } from "../args";
import { defineCommand } from "../command";
import { ModuleLoadError } from "../modules";

/** What local/dev.ts exports: the development loop of the local stage. */
interface DevModule {
  runDev(options: Record<string, unknown>): Promise<number>;
}

// Resolved when the command runs, not when the table is read: the other commands never load the local stage.
const DEV_MODULE = "../../local/dev";

export const dev = defineCommand({
  name: "dev",
  summary: "runs the service on the local stage while you edit it (see local/dev.ts)",
  options: { ...COMMON_OPTIONS },
  async run(values) {
    let module: DevModule;
    try {
      module = (await import(DEV_MODULE)) as DevModule;
    } catch (error) {
      throw new ModuleLoadError("event-ledger dev needs the local stage (local/dev), which this installation does not have", {
        cause: error,
      });
    }
    const { help: _help, verbose: _verbose, ...options } = values;
    return module.runDev(options);
  },
});
