import { existsSync } from "node:fs";
import * as path from "node:path";
import { Domain, domainProblem } from "../handlers/runtime/domain/domain";
import { LedgerError } from "../handlers/runtime/support/errors";
import { UsageError } from "./errors";

/** A module given on the command line could not be loaded: it threw, or TypeScript cannot be run here. */
export class ModuleLoadError extends LedgerError {
  readonly code = "module-load";
}

const isMissingModule = (error: unknown, name: string) =>
  (error as { code?: string })?.code === "MODULE_NOT_FOUND" && String((error as Error).message).includes(`'${name}'`);

/** Lets `require` run TypeScript files when nothing has yet (the built command run with node): ts-node's transpiler. */
export async function canRunTypeScript(flag: string, file: string): Promise<void> {
  // require.extensions is deprecated for adding loaders, still the way to see whether one is registered.
  if (require.extensions[".ts"]) return;
  try {
    const tsNode = await import("ts-node");
    tsNode.register({ transpileOnly: true });
  } catch (error) {
    if (isMissingModule(error, "ts-node"))
      throw new ModuleLoadError(
        `${flag} ${file} is TypeScript and ts-node is not installed: npm install --save-dev ts-node, or give the compiled .js`,
        {
          cause: error,
        },
      );
    throw error;
  }
}

/** A module given by path (relative to the working directory), loaded once; `flag` names it in messages. */
export async function loadModule(flag: string, file: string): Promise<Record<string, unknown>> {
  const resolved = path.resolve(file);
  if (!existsSync(resolved)) throw new UsageError(`${flag} ${file}: no such file (from ${process.cwd()})`);
  if (/\.[mc]?tsx?$/.test(resolved)) await canRunTypeScript(flag, file);
  try {
    return (await import(resolved)) as Record<string, unknown>;
  } catch (error) {
    throw new ModuleLoadError(`${flag} ${file} cannot be loaded: ${String((error as Error)?.message ?? error).split("\n")[0]}`, {
      cause: error,
    });
  }
}

const exportsOf = (module: Record<string, unknown>) =>
  Object.keys(module)
    .filter((name) => name !== "__esModule")
    .join(", ") || "nothing";

/** The domain a module exports under `exportName`, checked to be one. */
export async function loadDomain(file: string, exportName: string): Promise<Domain<unknown, unknown>> {
  const module = await loadModule("--domain", file);
  const value = module[exportName];
  if (value === undefined)
    throw new UsageError(`--domain ${file} has no export "${exportName}" (it exports ${exportsOf(module)}): check --export`);
  const problem = domainProblem(value);
  if (problem) throw new UsageError(`--domain ${file}: the export "${exportName}" ${problem}: check --export`);
  return value as Domain<unknown, unknown>;
}
