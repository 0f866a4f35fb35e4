/**
 * How a process of the local stage ends. What it starts (DynamoDB Local, HTTP servers) registers a
 * cleanup with `onExit`; `processLifecycle(...).run(main)` runs them all, exactly once, newest first,
 * whichever way the process ends: `main` returns (its exit code), throws or leaves a rejection unhandled
 * (one line on standard error, exit 1), SIGINT, SIGTERM or SIGHUP (exit 130, 143, 129), a port taken
 * (`port N is in use: pass --port <free port>`, exit 1). A second signal while cleaning up exits at once.
 * When no handler can run (SIGKILL), DynamoDB Local still stops: its watchdog sees the parent's pipe
 * close (local/dynamodbLocal.ts).
 */
import { LedgerError } from "../handlers/runtime/support/errors";

export type Cleanup = () => void | Promise<void>;

/** A server could not listen: its port is taken. The process names the flag that picks another. */
export class PortInUseError extends LedgerError {
  readonly code = "port-in-use";
  constructor(
    readonly port: number,
    options?: ErrorOptions,
  ) {
    super(`port ${port} is in use`, options);
  }
}

export interface LifecycleOptions {
  /** What the process is, starting its error line (`local stage failed: ...`). */
  readonly name: string;
  /** The flag that sets the port a server listens on, named when that port is taken. Default: no flag named. */
  readonly portFlag?: string;
  /** How long the cleanups may take altogether before the process exits anyway. Default 10 000 ms. */
  readonly cleanupTimeoutMs?: number;
}

/** The exit code of a process ended by a signal, as a shell reports it: 128 + the signal's number. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

interface Registered {
  readonly what: string;
  readonly run: () => Promise<void>;
}

/** Cleanups not run yet, in the order registered. */
const pending = new Set<Registered>();

/**
 * Registers a cleanup for every exit path and returns the function that runs it now instead. It runs
 * once: a later call, or the exit path, waits for that same run.
 */
export function onExit(what: string, cleanup: Cleanup): () => Promise<void> {
  let running: Promise<void> | undefined;
  const entry: Registered = {
    what,
    run: () =>
      (running ??= (async () => {
        pending.delete(entry);
        await cleanup();
      })()),
  };
  pending.add(entry);
  return entry.run;
}

/** Runs every pending cleanup, newest first; returns a line per cleanup that failed. */
async function runCleanups(): Promise<string[]> {
  const failures: string[] = [];
  for (const entry of [...pending].reverse()) {
    try {
      await entry.run();
    } catch (error) {
      failures.push(`stopping ${entry.what} failed: ${oneLine(error)}`);
    }
  }
  return failures;
}

/** An error as one line: its message with line breaks folded, and its code when it has one. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  const folded = text.replace(/\s*\n\s*/g, " | ").trim();
  return typeof code === "string" && !folded.includes(code) ? `${folded} [${code}]` : folded;
}

/** The line a process ending on `error` prints: the fix for a taken port, else what failed. */
export function exitMessage(error: unknown, options: Pick<LifecycleOptions, "name" | "portFlag">): string {
  if (error instanceof PortInUseError)
    return options.portFlag ? `${error.message}: pass ${options.portFlag} <free port>` : `${options.name} failed: ${error.message}`;
  return `${options.name} failed: ${oneLine(error)}`;
}

let installed: LifecycleOptions | undefined;
let ending: Promise<void> | undefined;

/** The line for an error: once the process is stopping, what its teardown made fail (a request to a server closed) says so. */
const failureLine = (error: unknown, options: LifecycleOptions): string =>
  ending ? `${options.name}, while stopping: ${oneLine(error)}` : exitMessage(error, options);

/** Ends the process: the cleanups once, then `code` (1 when a cleanup failed after a success). */
function end(code: number, line?: string): void {
  if (line !== undefined) process.stderr.write(`${line}\n`);
  if (ending) return;
  const timeoutMs = installed?.cleanupTimeoutMs ?? 10_000;
  ending = (async () => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<string[]>((resolve) => {
      timer = setTimeout(() => resolve([`cleanup did not finish within ${timeoutMs} ms; exiting anyway`]), timeoutMs);
    });
    const failures = await Promise.race([runCleanups(), timedOut]);
    clearTimeout(timer);
    failures.forEach((failure) => process.stderr.write(`${failure}\n`));
    process.exit(code === 0 && failures.length > 0 ? 1 : code);
  })();
}

/**
 * Installs the exit handlers of this process (once; call it before anything that may throw) and
 * returns `run`, which runs `main` and ends the process with the code it returns.
 */
export function processLifecycle(options: LifecycleOptions): { run(main: () => Promise<number>): void } {
  if (installed === undefined) {
    installed = options;
    const failed = (error: unknown) => end(1, failureLine(error, installed ?? options));
    process.on("uncaughtException", failed);
    process.on("unhandledRejection", failed);
    for (const [signal, code] of Object.entries(SIGNAL_EXIT_CODES)) process.on(signal, () => (ending ? process.exit(code) : end(code)));
  }
  return {
    run: (main) =>
      void main().then(
        (code) => end(code),
        (error) => end(1, failureLine(error, options)),
      ),
  };
}
