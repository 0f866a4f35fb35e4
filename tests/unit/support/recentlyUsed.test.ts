import * as assert from "node:assert/strict";
import { RecentlyUsed, stateWeight } from "../../../handlers/runtime/support/recentlyUsed";

describe("RecentlyUsed: what a warm handler keeps between invocations", () => {
  it("drops the least recently used entry past its capacity, a read counting as a use", () => {
    const memory = new RecentlyUsed<string, number>(2);
    memory.set("a", 1);
    memory.set("b", 2);
    memory.get("a");
    memory.set("c", 3);
    assert.deepEqual([memory.get("a"), memory.get("b"), memory.get("c"), memory.size], [1, undefined, 3, 2]);
  });

  it("bounds the total weight as well: heavy entries push out the oldest, and one heavier than the bound is not kept", () => {
    const memory = new RecentlyUsed<string, { state: string }>(100, { weigh: stateWeight, maxWeight: 100 });
    memory.set("a", { state: "x".repeat(38) }); // 40 with its quotes
    memory.set("b", { state: "x".repeat(38) });
    memory.set("c", { state: "x".repeat(38) });
    assert.deepEqual([memory.get("a"), memory.size, memory.totalWeight], [undefined, 2, 80]);
    memory.set("huge", { state: "x".repeat(200) });
    assert.deepEqual([memory.get("huge"), memory.size, memory.totalWeight], [undefined, 2, 80]);
    memory.set("b", { state: "" }); // replacing an entry replaces its weight
    assert.equal(memory.totalWeight, 42);
  });

  it("remembers nothing with a capacity of 0", () => {
    const memory = new RecentlyUsed<string, number>(0);
    memory.set("a", 1);
    assert.deepEqual([memory.get("a"), memory.size], [undefined, 0]);
  });
});
