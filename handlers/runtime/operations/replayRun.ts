import { createHash } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { ConfigurationError } from "../support/errors";
import { isPlainObject } from "../domain/domain";
import { positiveInteger } from "../support/options";

/** Where a listing stands: per index bucket, the last aggregate id already handed out. */
export type ListingPosition = Record<number, string | undefined>;

/** What a run replays (ledger, target, prefix, generation, …): a checkpoint serves only the run it was made by. */
export type ReplayRunIdentity = Record<string, string>;

/** Where a replay run stands: what it has finished, per index bucket, and what failed. */
export interface ReplayCheckpoint {
  /** The run this checkpoint belongs to. */
  run: ReplayRunIdentity;
  /** Per bucket, the last aggregate id such that it and every id before it are done. */
  position: ListingPosition;
  replayed: number;
  skipped: number;
  failed: { aggregateId: string; reason: string }[];
}

export interface CheckpointStore {
  /** Where the checkpoint lives, for messages (a file's path). */
  readonly location?: string;
  /** The stored checkpoint as it was saved (checked by the run), or undefined when there is none. */
  load(): Promise<unknown>;
  save(checkpoint: ReplayCheckpoint): Promise<void>;
}

/** A checkpoint that cannot be used: unreadable, not one, or made by another run. */
export class CheckpointError extends ConfigurationError {
  constructor(location: string, problem: string) {
    super(`the checkpoint ${location}`, problem);
  }
}

/** A checkpoint in a JSON file, replaced atomically (write, then rename) so a crash never leaves half of one. */
export const fileCheckpoint = (path: string): CheckpointStore => ({
  location: path,
  async load() {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new CheckpointError(path, `cannot be read: ${(error as Error).message}`);
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new CheckpointError(
        path,
        `is not JSON (${(error as Error).message}); delete it to start the run over, or give the file of this run`,
      );
    }
  },
  async save(checkpoint) {
    await writeFile(`${path}.tmp`, JSON.stringify(checkpoint, null, 1));
    await rename(`${path}.tmp`, path);
  },
});

/**
 * The default checkpoint file of a run: one per distinct identity, readable where it can be
 * (ledger, target, generation) and told apart by a hash of the whole identity (prefix included).
 */
export function defaultCheckpointPath(run: ReplayRunIdentity): string {
  const readable = [run.ledger, run.target, run.generation]
    .filter(Boolean)
    .join("-")
    .replace(/[^A-Za-z0-9._-]/g, "_");
  const hash = createHash("sha256")
    .update(JSON.stringify(Object.entries(run).sort()))
    .digest("hex")
    .slice(0, 10);
  return `.replay-${readable}-${hash}.json`;
}

/** What is wrong with a stored checkpoint for this run, or undefined when it can be resumed. */
function checkpointProblem(stored: unknown, run: ReplayRunIdentity): string | undefined {
  if (!isPlainObject(stored)) return "is not a checkpoint (not a JSON object)";
  const { position, replayed, skipped, failed } = stored as Partial<ReplayCheckpoint>;
  if (!isPlainObject(stored.run)) return "names no run (written by an older release, or not a checkpoint); delete it to start the run over";
  if (!isPlainObject(position) || !Number.isSafeInteger(replayed) || !Number.isSafeInteger(skipped) || !Array.isArray(failed)) {
    return "is not a checkpoint (it lacks position, replayed, skipped or failed); delete it to start the run over";
  }
  const saved = stored.run as ReplayRunIdentity;
  const differing = [...new Set([...Object.keys(run), ...Object.keys(saved)])].filter((name) => saved[name] !== run[name]).sort();
  if (differing.length > 0) {
    const was = differing
      .map((name) => `${name} ${JSON.stringify(saved[name] ?? null)} (this run: ${JSON.stringify(run[name] ?? null)})`)
      .join(", ");
    return `belongs to another run: ${was}; give this run its own checkpoint`;
  }
  return undefined;
}

export interface ReplayProgress {
  replayed: number;
  skipped: number;
  failed: number;
  /** Replays per second since the run started. */
  rate: number;
}

export interface ReplayRunOptions {
  /** What this run replays: saved in the checkpoint, which no other run resumes from. */
  run: ReplayRunIdentity;
  /** The aggregates to replay, bucket by bucket and in id order within one (as `indexedAggregateIds` lists them). */
  ids: (after: ListingPosition) => AsyncIterable<{ id: string; bucket: number }>;
  /** Replays one aggregate; resolves `{ repeated: true }` when this run's key already did it. */
  replay: (aggregateId: string) => Promise<{ repeated?: boolean }>;
  /** Replays per second at most, across workers: a positive number. */
  ratePerSecond: number;
  /** Replays in flight at most: a positive integer. Default 4. */
  workers?: number;
  checkpoint: CheckpointStore;
  /** Stops the run (the checkpoint is saved first). */
  signal?: AbortSignal;
  onProgress?: (progress: ReplayProgress) => void;
}

/**
 * Replays every listed aggregate at a bounded rate, in parallel, saving where it stands so a run
 * stopped or crashed resumes where it was. Aggregates that failed are tried again first on resume.
 * Idempotent when `replay` uses a key per (target, generation, aggregate): a second run does nothing new.
 */
export async function replayRun(
  options: ReplayRunOptions,
): Promise<ReplayCheckpoint & { stopped: boolean; thisRun: { replayed: number; skipped: number } }> {
  const workers = positiveInteger("workers", options.workers, 4);
  const rate = options.ratePerSecond;
  if (typeof rate !== "number" || !Number.isFinite(rate) || rate <= 0)
    throw new RangeError(`ratePerSecond must be a positive number, got ${String(rate)}`);
  const saved = await options.checkpoint.load();
  if (saved !== undefined) {
    const problem = checkpointProblem(saved, options.run);
    if (problem) throw new CheckpointError(options.checkpoint.location ?? "given", problem);
  }
  const resumed = saved as ReplayCheckpoint | undefined;
  const state: ReplayCheckpoint = resumed
    ? { ...resumed, position: { ...resumed.position }, failed: [...resumed.failed] }
    : { run: { ...options.run }, position: {}, replayed: 0, skipped: 0, failed: [] };
  const before = { replayed: state.replayed, skipped: state.skipped };
  // Tried again first; until each is done it stays failed in every checkpoint saved, so a crash or
  // a stop meanwhile leaves it for the next run.
  const retry = state.failed.splice(0);
  const unfinished = new Map(retry.map((failure) => [failure.aggregateId, failure]));
  /** The checkpoint as it stands: the retries not yet done still among the failed. */
  const checkpointNow = (): ReplayCheckpoint => ({ ...state, failed: [...state.failed, ...unfinished.values()] });
  const started = Date.now();
  let handedOut = 0;
  const slot = async () => {
    const due = started + (handedOut++ * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
  };
  const progress = () =>
    options.onProgress?.({
      replayed: state.replayed,
      skipped: state.skipped,
      failed: state.failed.length,
      rate: (state.replayed + state.skipped) / Math.max(0.001, (Date.now() - started) / 1000),
    });
  const one = async (aggregateId: string) => {
    await slot();
    try {
      const result = await options.replay(aggregateId);
      if (result.repeated) state.skipped += 1;
      else state.replayed += 1;
    } catch (error) {
      state.failed.push({ aggregateId, reason: (error as Error)?.message ?? String(error) });
    }
    progress();
  };

  // In-order completion per bucket: the position only moves past ids that are all done.
  const pending: { id: string; bucket: number; done: boolean }[] = [];
  const advance = () => {
    while (pending.length > 0 && pending[0].done) {
      const first = pending.shift()!;
      state.position[first.bucket] = first.id;
    }
  };
  let lastSave = Date.now();
  const maybeSave = async () => {
    if (Date.now() - lastSave < 1000) return;
    lastSave = Date.now();
    await options.checkpoint.save(checkpointNow());
  };

  const inFlight = new Set<Promise<void>>();
  const launch = (run: () => Promise<void>) => {
    const task = run().finally(() => inFlight.delete(task));
    inFlight.add(task);
  };
  let stopped = false;
  for (const { aggregateId } of retry) {
    while (inFlight.size >= workers) await Promise.race(inFlight);
    if (options.signal?.aborted) {
      stopped = true;
      break;
    }
    launch(async () => {
      await one(aggregateId);
      unfinished.delete(aggregateId);
    });
  }
  if (!stopped)
    for await (const listed of options.ids(state.position)) {
      while (inFlight.size >= workers) await Promise.race(inFlight);
      if (options.signal?.aborted) {
        stopped = true;
        break;
      }
      const entry = { ...listed, done: false };
      pending.push(entry);
      launch(async () => {
        await one(listed.id);
        entry.done = true;
        advance();
        await maybeSave();
      });
    }
  await Promise.all(inFlight);
  advance();
  stopped ||= options.signal?.aborted === true;
  const final = checkpointNow();
  await options.checkpoint.save(final);
  return { ...final, stopped, thisRun: { replayed: state.replayed - before.replayed, skipped: state.skipped - before.skipped } };
}
