import * as assert from "node:assert/strict";
import { Every, progressLine, reportProgress } from "../../../cli/progress";

describe("progress of long runs", () => {
  it("a line says done/total, the share, the rate, the time left and the failures", () => {
    assert.equal(
      progressLine("replay", { done: 250, total: 1000, failed: 2, rate: 50 }),
      "replay: 250/1000 (25%), 50.0/s, about 15 s left, 2 failed",
    );
    assert.equal(progressLine("recover", { done: 3, failed: 0, rate: 0 }), "recover: 3, 0.0/s, 0 failed");
  });

  it("writes the current line at every tick until stopped, whether or not the run moved", () => {
    let tick: (() => void) | undefined;
    let period = 0;
    const every: Every = (milliseconds, task) => {
      period = milliseconds;
      tick = task;
      return () => (tick = undefined);
    };
    const lines: string[] = [];
    let done = 0;
    const progress = reportProgress(
      (line) => lines.push(line),
      () => `done ${done}`,
      5000,
      every,
    );
    assert.equal(period, 5000);
    tick!();
    done = 7;
    tick!();
    tick!();
    progress.stop();
    assert.equal(tick, undefined, "stopped");
    assert.deepEqual(lines, ["done 0\n", "done 7\n", "done 7\n"]);
  });
});
