/**
 * Spawning a process that starts DynamoDB Local and finding what it leaves behind. Other runs on the
 * same machine start emulators of their own, so each spawn marks its JVM with a system property of its
 * own (DYNAMODB_LOCAL_JVM_OPTIONS, which local/dynamodbLocal.ts passes to java): the watchdog and the
 * JVM carry it in their command lines.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export const ROOT = path.join(__dirname, "..", "..", "..");

export interface ProcessRow {
  pid: number;
  ppid: number;
  pgid: number;
  args: string;
}

/** Every process on the machine, from `ps -eo pid,ppid,pgid,args`. */
export function processTable(): ProcessRow[] {
  const listing = spawnSync("ps", ["-eo", "pid=,ppid=,pgid=,args="], { encoding: "utf8" });
  if (listing.status !== 0) throw new Error(`ps failed: ${listing.stderr}`);
  return listing.stdout
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map(([, pid, ppid, pgid, args]) => ({ pid: Number(pid), ppid: Number(ppid), pgid: Number(pgid), args }));
}

/** The processes below `pid`, children and their children. */
export function descendants(pid: number, table: ProcessRow[]): ProcessRow[] {
  const found: ProcessRow[] = [];
  let parents = new Set([pid]);
  while (parents.size > 0) {
    const children = table.filter((row) => parents.has(row.ppid));
    found.push(...children);
    parents = new Set(children.map((row) => row.pid));
  }
  return found;
}

export const isEmulatorJvm = (row: ProcessRow): boolean => /\bjava\b/.test(row.args) && row.args.includes("DynamoDBLocal.jar");

/** A process that starts DynamoDB Local, spawned with a mark on its JVM, its output collected. */
export class MarkedProcess {
  readonly mark = `-Dlifecycle.test=${randomUUID()}`;
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The processes seen while it ran: its descendants and whatever carries its mark. */
  private seen: ProcessRow[] = [];

  constructor(args: string[], env: Record<string, string> = {}, cwd = ROOT) {
    // A group of its own, so that the test's signal reaches this process alone, as `kill PID` would.
    this.child = spawn(process.execPath, args, {
      cwd,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env, DYNAMODB_LOCAL_JVM_OPTIONS: this.mark },
    });
    this.child.stdout!.on("data", (chunk) => (this.stdout += chunk));
    this.child.stderr!.on("data", (chunk) => (this.stderr += chunk));
    this.exited = once(this.child, "exit").then(([code, signal]) => ({ code, signal }));
  }

  /** `node -r ts-node/register/transpile-only <script> ...args`. */
  static typescript(script: string, args: string[] = [], env: Record<string, string> = {}): MarkedProcess {
    return new MarkedProcess(["-r", "ts-node/register/transpile-only", script, ...args], env);
  }

  get output(): string {
    return `stdout:\n${this.stdout}\nstderr:\n${this.stderr}`;
  }

  /** Waits until standard output matches `pattern`; fails if the process exits first or the time runs out. */
  async waitFor(pattern: RegExp, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.stdout)) {
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`exited (${this.child.exitCode ?? this.child.signalCode}) before printing ${pattern}\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`${pattern} not printed within ${timeoutMs} ms\n${this.output}`);
      await sleep(50);
    }
  }

  /** What runs now on its behalf: its descendants and whatever carries its mark; remembered for `leftovers`. */
  running(): ProcessRow[] {
    const table = processTable();
    const rows = [...descendants(this.child.pid!, table), ...table.filter((row) => row.args.includes(this.mark))];
    const unique = [...new Map(rows.map((row) => [row.pid, row])).values()];
    this.seen.push(...unique.filter((row) => !this.seen.some((known) => known.pid === row.pid)));
    return unique;
  }

  async exit(timeoutMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const timer = new AbortController();
    const timeout = sleep(timeoutMs, undefined, { signal: timer.signal }).then(() => {
      throw new Error(`did not exit within ${timeoutMs} ms\n${this.output}`);
    });
    timeout.catch(() => undefined);
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      timer.abort();
    }
  }

  /**
   * What is still there once it has exited: a process with its mark, one seen running on its behalf
   * (the same pid with the same command line), or one in a process group seen. Waits up to `timeoutMs`
   * for them to go, then answers what is left.
   */
  async leftovers(timeoutMs = 20_000): Promise<ProcessRow[]> {
    const groups = new Set(this.seen.map((row) => row.pgid));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = processTable().filter(
        (row) =>
          row.args.includes(this.mark) ||
          this.seen.some((known) => known.pid === row.pid && known.args === row.args) ||
          groups.has(row.pgid),
      );
      if (left.length === 0 || Date.now() > deadline) return left;
      await sleep(100);
    }
  }

  /** Kills whatever it left (after a test that failed), so that one failure does not leave a JVM behind. */
  async killLeftovers(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    for (const row of await this.leftovers(0)) {
      try {
        process.kill(row.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }
}

/** A loopback port free now. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

/** Holds a loopback port until closed. */
export async function occupiedPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return {
    port,
    close: async () => {
      server.close();
      await once(server, "close");
    },
  };
}

export const describeRows = (rows: ProcessRow[]): string =>
  rows.map((row) => `  ${row.pid} ${row.ppid} ${row.pgid} ${row.args.slice(0, 160)}`).join("\n");
