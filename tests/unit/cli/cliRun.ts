import { execFile } from "node:child_process";
import * as path from "node:path";
import { CliDependencies } from "../../../cli/command";
import { runCli } from "../../../cli/main";

const ROOT = path.join(__dirname, "..", "..", "..");

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command run in this process (clients may be stubbed), with what it wrote. */
export async function runInProcess(argv: string[], dependencies: CliDependencies = {}): Promise<CliOutcome> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (text) => void out.push(text), err: (text) => void err.push(text) }, dependencies);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

/** The command as a user runs it: a process of its own, from the repository's root. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliOutcome> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "cli/main.ts", ...args],
      { cwd: ROOT, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code) : 0, stdout, stderr }),
    ),
  );
}

/** A stack trace line, which no message of the command may hold unless --verbose asked for it. */
export const STACK_LINE = /\n\s+at /;
