import * as assert from "node:assert/strict";
import {
  ACTIVE_FLOOR_MS,
  ACTIVE_WITHIN_READS,
  CONTENDED_WITHIN_MS,
  ContentionPacing,
  MAX_WAKES_HELD,
  YIELD_BACKOFF,
} from "../../../handlers/runtime/command/contention";

describe("ContentionPacing: how a command paces its attempts after version conflicts", () => {
  const clock = () => {
    const time = { now: 1_000_000 };
    return { time, pacing: new ContentionPacing(() => time.now) };
  };

  it("retries at once after a first conflict on an aggregate it has not seen contended", () => {
    const { pacing } = clock();
    assert.equal(pacing.afterConflict("a", { attempt: 1, pausedBefore: false, yields: 0 }), 0);
  });

  it("yields on a hot aggregate: a second conflict there within the window pauses at least the floor", () => {
    const { time, pacing } = clock();
    pacing.afterConflict("a", { attempt: 1, pausedBefore: false, yields: 0 });
    time.now += CONTENDED_WITHIN_MS - 1;
    const pause = pacing.afterConflict("a", { attempt: 1, pausedBefore: false, yields: 0 });
    assert.ok(pause >= YIELD_BACKOFF.floorMs, `paused ${pause} ms`);
    assert.equal(pacing.afterConflict("b", { attempt: 1, pausedBefore: false, yields: 0 }), 0, "another aggregate is not hot");
  });

  it("forgets contention after the window: the next first conflict retries at once again", () => {
    const { time, pacing } = clock();
    pacing.afterConflict("a", { attempt: 1, pausedBefore: false, yields: 0 });
    time.now += CONTENDED_WITHIN_MS;
    assert.equal(pacing.afterConflict("a", { attempt: 1, pausedBefore: false, yields: 0 }), 0);
  });

  it("retries at once on the attempt right after a pause (its turn), and pauses again after one more conflict", () => {
    const { pacing } = clock();
    assert.equal(pacing.afterConflict("a", { attempt: 1, pausedBefore: false, yields: 0 }), 0);
    assert.ok(
      pacing.afterConflict("a", { attempt: 2, pausedBefore: false, yields: 0 }) >= YIELD_BACKOFF.floorMs,
      "a second conflict without a pause yields",
    );
    assert.equal(
      pacing.afterConflict("a", { attempt: 3, pausedBefore: true, yields: 0 }),
      0,
      "the attempt after the pause met a conflict: at once",
    );
    assert.ok(
      pacing.afterConflict("a", { attempt: 4, pausedBefore: false, yields: 0 }) >= YIELD_BACKOFF.floorMs,
      "and the one after that pauses again",
    );
  });

  it("keeps each pause below the floor plus the ceiling, its ceiling doubling with each pause the command made", () => {
    const { pacing } = clock();
    for (let yields = 0; yields < 10; yields += 1) {
      const pause = pacing.afterConflict("a", { attempt: 2, pausedBefore: false, yields });
      const ceiling = Math.min(YIELD_BACKOFF.capMs, YIELD_BACKOFF.baseMs * 2 ** yields);
      assert.ok(pause >= YIELD_BACKOFF.floorMs && pause < YIELD_BACKOFF.floorMs + ceiling, `after ${yields} pauses: ${pause} ms`);
    }
  });

  it("does not lengthen a pause for attempts that retried at once: a first pause stays below the first ceiling late in a command", () => {
    const { pacing } = clock();
    pacing.afterConflict("a", { attempt: 1, pausedBefore: false, yields: 0 });
    for (let i = 0; i < 50; i += 1) {
      const pause = pacing.afterConflict("a", { attempt: 9, pausedBefore: false, yields: 0 });
      assert.ok(pause < YIELD_BACKOFF.floorMs + YIELD_BACKOFF.baseMs, `attempt 9, no pause yet: ${pause} ms`);
    }
  });
});

describe("ContentionPacing: a command woken from its pause, having read what it missed", () => {
  const pacing = new ContentionPacing();
  const woken = { readMs: 5, yields: 1, held: 0, waitedMs: 300, budgetMs: 10_000 };
  const active = ACTIVE_WITHIN_READS * woken.readMs + ACTIVE_FLOOR_MS;

  it("reads again after a pause when the newest event it read is younger than a few of its own reads: the writer is still committing", () => {
    const pause = pacing.afterWake({ ...woken, ageMs: active - 1 });
    assert.ok(pause >= YIELD_BACKOFF.floorMs && pause < YIELD_BACKOFF.floorMs + YIELD_BACKOFF.capMs, `paused ${pause} ms`);
  });

  it("writes at once when nothing was written meanwhile or the newest event is older: the writer stopped", () => {
    assert.equal(pacing.afterWake({ ...woken, ageMs: Infinity }), 0);
    assert.equal(pacing.afterWake({ ...woken, ageMs: active }), 0);
  });

  it("measures 'still committing' in its own round trips: an age that is recent at a fast read is old at a slow one", () => {
    assert.equal(pacing.afterWake({ ...woken, readMs: 1, ageMs: 20 }), 0);
    assert.ok(pacing.afterWake({ ...woken, readMs: 10, ageMs: 20 }) > 0);
  });

  it(`writes after ${MAX_WAKES_HELD} wakes in a row read instead, so a writer that keeps committing does not hold a command off for ever`, () => {
    assert.ok(pacing.afterWake({ ...woken, ageMs: 0, held: MAX_WAKES_HELD - 1 }) > 0);
    assert.equal(pacing.afterWake({ ...woken, ageMs: 0, held: MAX_WAKES_HELD }), 0);
  });

  it("writes rather than pause past half the command's time budget", () => {
    assert.equal(pacing.afterWake({ ...woken, ageMs: 0, waitedMs: woken.budgetMs / 2 }), 0);
  });
});
