import assert from "node:assert/strict";
import { DEFAULTS, RateLimit, SimulationSettings, simulate } from "../../../bench/scaleSimulation";

/** A small pipeline: one shard, one read model, fast enough that only the setting under test binds. */
const small = (overrides: Partial<SimulationSettings> = {}): SimulationSettings => ({
  ...DEFAULTS,
  commandsPerSecond: 200,
  aggregates: 100,
  seconds: 20,
  drainSeconds: 120,
  streamShards: 1,
  projectors: [{ name: "rows", share: 1 }],
  projector: { ...DEFAULTS.projector, maximumConcurrency: 50 },
  ...overrides,
});

describe("scale simulation", () => {
  describe("RateLimit", () => {
    it("admits N a second in the long run, after a burst of one second's worth", () => {
      const limit = new RateLimit(100);
      const times = Array.from({ length: 1_100 }, () => limit.admit(0));
      const burst = times.filter((time) => time === 0).length;
      assert.ok(burst >= 100 && burst <= 101, `${burst} admitted at once`);
      // 1,000 more requests than the burst take 10 seconds at 100 a second.
      assert.ok(Math.abs(times[times.length - 1] - 9.99) < 1e-9, `last admitted at ${times[times.length - 1]}`);
    });
  });

  it("a PutEvents quota of N calls a second caps publishing at N calls (10 entries each) a second", () => {
    const report = simulate(
      small({
        commandsPerSecond: 2_000,
        aggregates: 1_000,
        streamShards: 4,
        dispatcher: { ...DEFAULTS.dispatcher, perRecordMs: 0.1 },
        putEvents: { perSecond: 50, quotaCounts: "call", latencyMs: 0 },
        projector: { ...DEFAULTS.projector, maximumConcurrency: 1_000, perMessageMs: 0.1 },
      }),
    );
    // 500 events a second, plus the one-second burst spread over the 20-second window.
    assert.ok(report.publishedPerSecond <= 500 * (1 + 1 / 20) + 1, `published ${report.publishedPerSecond}/s`);
    assert.ok(report.publishedPerSecond >= 450, `published ${report.publishedPerSecond}/s: the quota, not something else, should bind`);
    assert.ok(report.throttles.putEvents > 0);
  });

  it("an unthrottled pipeline publishes as fast as the commands arrive", () => {
    const report = simulate(small());
    assert.equal(report.throttles.putEvents, 0);
    assert.ok(Math.abs(report.publishedPerSecond - 200) < 20, `published ${report.publishedPerSecond}/s`);
    assert.equal(report.completed, report.events);
  });

  it("more parallelization lowers the lag when the shard's one batch at a time is the bottleneck", () => {
    // A batch of 100 takes 520 ms: one lane keeps up with about 190 records a second, the load is 400.
    const slow = (parallelizationFactor: number) =>
      simulate(small({ commandsPerSecond: 400, dispatcher: { ...DEFAULTS.dispatcher, perRecordMs: 5, parallelizationFactor } }));
    const one = slow(1);
    const five = slow(5);
    assert.ok(one.lagSeconds.p99 > 10, `p99 with one batch per shard: ${one.lagSeconds.p99}`);
    assert.ok(five.lagSeconds.p99 < one.lagSeconds.p99 / 3, `p99 ${five.lagSeconds.p99} vs ${one.lagSeconds.p99}`);
    assert.ok(five.dispatcher.peakConcurrency > one.dispatcher.peakConcurrency);
  });

  it("the account's concurrency caps the invocations running at once and counts the throttles", () => {
    const report = simulate(
      small({
        accountConcurrency: 3,
        dispatcher: { ...DEFAULTS.dispatcher, parallelizationFactor: 10 },
        commandsPerSecond: 1_000,
        aggregates: 1_000,
      }),
    );
    assert.ok(report.dispatcher.peakConcurrency + report.projectors.peakConcurrency <= 3 * 2);
    assert.ok(report.dispatcher.peakConcurrency <= 3 && report.projectors.peakConcurrency <= 3);
    assert.ok(report.throttles.lambda > 0);
  });

  it("gives the same report for the same seed, and another for another seed", () => {
    assert.deepEqual(simulate(small({ seed: 7 })), simulate(small({ seed: 7 })));
    assert.notDeepEqual(simulate(small({ seed: 7 })).lagSeconds, simulate(small({ seed: 8 })).lagSeconds);
  });
});
