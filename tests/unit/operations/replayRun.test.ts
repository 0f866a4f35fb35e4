import * as assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  CheckpointError,
  CheckpointStore,
  ReplayCheckpoint,
  ReplayRunOptions,
  defaultCheckpointPath,
  fileCheckpoint,
  replayRun,
} from "../../../handlers/runtime/operations/replayRun";

const RUN = { ledger: "ledger", target: "balances", prefix: "", generation: "1" };

/** A checkpoint kept in memory, as JSON, like the file. */
const memoryCheckpoint = (initial?: unknown): CheckpointStore & { stored: unknown } => ({
  location: "memory",
  stored: initial === undefined ? undefined : JSON.parse(JSON.stringify(initial)),
  async load() {
    return this.stored === undefined ? undefined : JSON.parse(JSON.stringify(this.stored));
  },
  async save(checkpoint) {
    this.stored = JSON.parse(JSON.stringify(checkpoint));
  },
});

/** Lists these ids in one bucket, resuming after the position's id. */
const listing = (ids: string[]): ReplayRunOptions["ids"] =>
  async function* (after) {
    for (const id of ids) if (after[0] === undefined || id > after[0]) yield { id, bucket: 0 };
  };

const ids = (count: number) => Array.from({ length: count }, (_, i) => `a-${String(i).padStart(3, "0")}`);

describe("replayRun: numeric options, stops, and checkpoints that belong to their run", () => {
  for (const workers of [0, -1, NaN, 1.5]) {
    it(`refuses ${workers} workers with a RangeError naming the option, before replaying anything`, async () => {
      const replayed: string[] = [];
      await assert.rejects(
        replayRun({
          run: RUN,
          ids: listing(ids(3)),
          replay: async (id) => (replayed.push(id), {}),
          ratePerSecond: 100,
          workers,
          checkpoint: memoryCheckpoint(),
        }),
        (error: unknown) => error instanceof RangeError && /workers must be a positive integer/.test(error.message),
      );
      assert.deepEqual(replayed, []);
    });
  }

  for (const ratePerSecond of [0, -5, NaN, Infinity]) {
    it(`refuses a rate of ${ratePerSecond} per second with a RangeError naming the option`, async () => {
      const replayed: string[] = [];
      await assert.rejects(
        replayRun({
          run: RUN,
          ids: listing(ids(3)),
          replay: async (id) => (replayed.push(id), {}),
          ratePerSecond,
          checkpoint: memoryCheckpoint(),
        }),
        (error: unknown) => error instanceof RangeError && /ratePerSecond must be a positive number/.test(error.message),
      );
      assert.deepEqual(replayed, []);
    });
  }

  it("keeps the failed aggregates a stop leaves untried during the retry phase, and replays them on the next run", async () => {
    const failed = ids(6).map((aggregateId) => ({ aggregateId, reason: "throttled" }));
    const checkpoint = memoryCheckpoint({ run: RUN, position: { 0: "a-005" }, replayed: 0, skipped: 0, failed } satisfies ReplayCheckpoint);
    const stop = new AbortController();
    const first = await replayRun({
      run: RUN,
      ids: listing(ids(6)),
      replay: async () => (stop.abort(), {}),
      ratePerSecond: 1000,
      workers: 1,
      checkpoint,
      signal: stop.signal,
    });
    assert.equal(first.stopped, true);
    assert.equal(first.replayed, 1, "the one retry in flight at the stop finished");
    assert.deepEqual(
      first.failed.map((failure) => failure.aggregateId),
      ids(6).slice(1),
      "the untried ones stay failed",
    );

    const replayed: string[] = [];
    const second = await replayRun({
      run: RUN,
      ids: listing(ids(6)),
      replay: async (id) => (replayed.push(id), {}),
      ratePerSecond: 1000,
      checkpoint,
    });
    assert.equal(second.stopped, false);
    assert.deepEqual(second.failed, []);
    assert.deepEqual(replayed.sort(), ids(6).slice(1));
    assert.equal(second.replayed, 6);
  });

  for (const [label, other] of [
    ["another prefix", { ...RUN, prefix: "acc-" }],
    ["another target", { ...RUN, target: "replica" }],
    ["another ledger", { ...RUN, ledger: "other-ledger" }],
    ["another generation", { ...RUN, generation: "2" }],
  ] as const) {
    it(`refuses to resume from the checkpoint of ${label}, naming the checkpoint and what differs`, async () => {
      const checkpoint = memoryCheckpoint({ run: other, position: { 0: "a-009" }, replayed: 10, skipped: 0, failed: [] });
      const replayed: string[] = [];
      await assert.rejects(
        replayRun({ run: RUN, ids: listing(ids(10)), replay: async (id) => (replayed.push(id), {}), ratePerSecond: 1000, checkpoint }),
        (error: unknown) => {
          assert.ok(error instanceof CheckpointError, String(error));
          assert.match(error.message, /checkpoint memory belongs to another run/);
          const field = Object.keys(RUN).find((name) => RUN[name as keyof typeof RUN] !== other[name as keyof typeof other])!;
          assert.match(error.message, new RegExp(`${field} `));
          return true;
        },
      );
      assert.deepEqual(replayed, []);
    });
  }

  it("keeps an aggregate it is retrying among the failed in every checkpoint saved until its retry is done, so a crash meanwhile loses none", async () => {
    const run = { ledger: "l", target: "t", prefix: "", generation: "1" };
    const saves: ReplayCheckpoint[] = [];
    const checkpoint: CheckpointStore = {
      location: "memory",
      load: async () => ({
        run,
        position: { 0: "b0" },
        replayed: 1,
        skipped: 0,
        failed: [{ aggregateId: "a-failed", reason: "throttled" }],
      }),
      save: async (state) => void saves.push(structuredClone(state)),
    };
    let finishRetry!: () => void;
    const retried = new Promise<void>((resolve) => (finishRetry = resolve));
    async function* ids() {
      yield { id: "b1", bucket: 0 };
      yield { id: "b2", bucket: 0 };
    }
    const result = replayRun({
      run,
      ids,
      // The retry is slow; b1 takes over a second, so the periodic save comes while the retry is in flight.
      replay: async (id) => (id === "a-failed" ? await retried : id === "b1" ? await sleep(1_100) : undefined, {}),
      ratePerSecond: 1_000,
      workers: 4,
      checkpoint,
    });
    await sleep(1_400);
    const duringRetry = saves.at(-1);
    finishRetry();
    const final = await result;
    assert.ok(duringRetry, "a checkpoint was saved while the retry was in flight");
    assert.deepEqual(
      duringRetry.failed.map((failure) => failure.aggregateId),
      ["a-failed"],
      "the process dying there leaves the retry to the next run",
    );
    assert.deepEqual(final.failed, [], "done once its retry succeeded");
    assert.deepEqual(saves.at(-1)!.failed, []);
  });

  it("gives runs that differ only by prefix different default checkpoint files", () => {
    assert.notEqual(defaultCheckpointPath(RUN), defaultCheckpointPath({ ...RUN, prefix: "acc-" }));
    assert.equal(defaultCheckpointPath(RUN), defaultCheckpointPath({ ...RUN }));
    assert.match(defaultCheckpointPath(RUN), /^\.replay-ledger-balances-1-[0-9a-f]{10}\.json$/);
  });

  for (const [label, content] of [
    ["an empty object", "{}"],
    ["truncated JSON", '{"run": {"ledger": "led'],
    ["an array", "[]"],
    ["a checkpoint without its run", JSON.stringify({ position: {}, replayed: 0, skipped: 0, failed: [] })],
  ] as const) {
    it(`refuses a checkpoint file holding ${label} with a CheckpointError naming the file`, async () => {
      const path = join(await mkdtemp(join(tmpdir(), "replay-")), "checkpoint.json");
      await writeFile(path, content);
      await assert.rejects(
        replayRun({ run: RUN, ids: listing(ids(2)), replay: async () => ({}), ratePerSecond: 1000, checkpoint: fileCheckpoint(path) }),
        (error: unknown) => {
          assert.ok(error instanceof CheckpointError, String(error));
          assert.ok(error.message.includes(path), error.message);
          return true;
        },
      );
    });
  }

  it("saves the run in its checkpoint and resumes from it", async () => {
    const checkpoint = memoryCheckpoint();
    const first = await replayRun({ run: RUN, ids: listing(ids(4)), replay: async () => ({}), ratePerSecond: 1000, checkpoint });
    assert.equal(first.replayed, 4);
    assert.deepEqual((checkpoint.stored as ReplayCheckpoint).run, RUN);
    const again = await replayRun({
      run: RUN,
      ids: listing(ids(4)),
      replay: async () => assert.fail("nothing is left to replay"),
      ratePerSecond: 1000,
      checkpoint,
    });
    assert.equal(again.thisRun.replayed, 0);
  });
});
