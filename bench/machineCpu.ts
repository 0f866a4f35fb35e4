/**
 * CPU time of this process and of the DynamoDB Local JVM serving an endpoint, for rows that ask
 * whether a slower run waited or was short of CPU: on one machine the emulator's CPU is the
 * bench's, where on AWS DynamoDB's is not the caller's. The JVM is found by its command line
 * (Linux's /proc); elsewhere its share is unknown and only this process's is counted.
 */
import { readFileSync, readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename } from "node:path";

/** Clock ticks per second of /proc's utime and stime: 100 on Linux for every architecture node runs on. */
const TICKS_PER_SECOND = 100;

/** The pid of the JVM running DynamoDBLocal.jar on `port`, or undefined where /proc does not say. */
export function emulatorPid(port: number): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      // The JVM itself, not a process whose arguments name it (the watchdog that starts it).
      if (basename(args[0]) !== "java" || !args.some((arg) => arg.endsWith("DynamoDBLocal.jar"))) continue;
      const at = args.indexOf("-port");
      if (at >= 0 && Number(args[at + 1]) === port) return Number(entry);
    } catch {
      // A process gone between the listing and the read.
    }
  }
  return undefined;
}

/** User and system CPU of a process so far, in ms; undefined once it cannot be read. */
function processCpuMs(pid: number): number | undefined {
  try {
    // The fields after the command name (which may hold spaces, closed by the last ")"): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU used over an interval: this process's, the emulator's (undefined where unknown). */
export interface CpuUsed {
  readonly nodeMs: number;
  readonly emulatorMs?: number;
}

/** Starts measuring; the function returned gives the CPU used since. */
export function cpuSince(emulator: number | undefined): () => CpuUsed {
  const node = process.cpuUsage();
  const jvm = emulator === undefined ? undefined : processCpuMs(emulator);
  return () => {
    const used = process.cpuUsage(node);
    const now = emulator === undefined ? undefined : processCpuMs(emulator);
    return {
      nodeMs: (used.user + used.system) / 1000,
      ...(jvm !== undefined && now !== undefined ? { emulatorMs: now - jvm } : {}),
    };
  };
}

/** The cores this machine offers, for the share of them a run kept busy. */
export const CORES = availableParallelism();
