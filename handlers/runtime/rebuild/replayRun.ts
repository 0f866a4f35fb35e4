import { readFile, rename, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/** Where a replay run stands: what it has handed out and finished, per index bucket, and what failed. */
/** Where a listing stands: per index bucket, the last aggregate id already handed out. */
export type ListingPosition = Record<number, string | undefined>;

export interface ReplayCheckpoint {
  /** Per bucket, the last aggregate id such that it and every id before it are done. */
  position: ListingPosition;
  replayed: number;
  skipped: number;
  failed: { aggregateId: string; reason: string }[];
}

export interface CheckpointStore {
  load(): Promise<ReplayCheckpoint | undefined>;
  save(checkpoint: ReplayCheckpoint): Promise<void>;
}

/** A checkpoint in a JSON file, replaced atomically (write, then rename) so a crash never leaves half of one. */
export const fileCheckpoint = (path: string): CheckpointStore => ({
  async load() {
    try {
      return JSON.parse(await readFile(path, "utf8")) as ReplayCheckpoint;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  },
  async save(checkpoint) {
    await writeFile(`${path}.tmp`, JSON.stringify(checkpoint, null, 1));
    await rename(`${path}.tmp`, path);
  },
});

export interface ReplayProgress {
  replayed: number;
  skipped: number;
  failed: number;
  /** Replays per second since the run started. */
  rate: number;
}

export interface ReplayRunOptions {
  /** The aggregates to replay, bucket by bucket and in id order within one (as `indexedAggregateIds` lists them). */
  ids: (after: ListingPosition) => AsyncIterable<{ id: string; bucket: number }>;
  /** Replays one aggregate; resolves `{ repeated: true }` when this run's key already did it. */
  replay: (aggregateId: string) => Promise<{ repeated?: boolean }>;
  /** Replays per second at most, across workers. */
  ratePerSecond: number;
  /** Replays in flight at most. Default 4. */
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
export async function replayRun(options: ReplayRunOptions): Promise<ReplayCheckpoint & { stopped: boolean; thisRun: { replayed: number; skipped: number } }> {
  const saved = await options.checkpoint.load();
  const state: ReplayCheckpoint = saved ? { ...saved, position: { ...saved.position } } : { position: {}, replayed: 0, skipped: 0, failed: [] };
  const before = { replayed: state.replayed, skipped: state.skipped };
  const retry = state.failed.splice(0);
  const started = Date.now();
  let handedOut = 0;
  const slot = async () => {
    const due = started + (handedOut++ * 1000) / options.ratePerSecond;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
  };
  const progress = () => options.onProgress?.({ replayed: state.replayed, skipped: state.skipped, failed: state.failed.length, rate: (state.replayed + state.skipped) / Math.max(0.001, (Date.now() - started) / 1000) });
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
    await options.checkpoint.save(state);
  };

  const workers = options.workers ?? 4;
  const inFlight = new Set<Promise<void>>();
  const launch = (run: () => Promise<void>) => {
    const task = run().finally(() => inFlight.delete(task));
    inFlight.add(task);
  };
  let stopped = false;
  for (const { aggregateId } of retry) {
    if (options.signal?.aborted) break;
    while (inFlight.size >= workers) await Promise.race(inFlight);
    launch(() => one(aggregateId));
  }
  for await (const listed of options.ids(state.position)) {
    if (options.signal?.aborted) {
      stopped = true;
      break;
    }
    while (inFlight.size >= workers) await Promise.race(inFlight);
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
  await options.checkpoint.save(state);
  return { ...state, stopped, thisRun: { replayed: state.replayed - before.replayed, skipped: state.skipped - before.skipped } };
}
