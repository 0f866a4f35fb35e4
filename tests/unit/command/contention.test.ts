import * as assert from "node:assert/strict";
import { CONTENDED_WITHIN_MS, ContentionPacing, YIELD_BACKOFF } from "../../../handlers/runtime/command/contention";

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
