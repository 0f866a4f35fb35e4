import * as assert from "node:assert/strict";
import { accounts } from "../../../examples/accounts/domain";
import { accountEvents, seedAccount } from "../../../examples/accounts/history";
import { AggregateLoader } from "../../../handlers/runtime/ledger/aggregateLoader";
import { StartCosts } from "../../../handlers/runtime/ledger/startCosts";
import { CountingEventStore } from "../../support/countingEventStore";
import { InMemorySnapshotStore } from "../../../handlers/runtime/memory/snapshotStore";

describe("StartCosts: the read units of a tail start and of a snapshot-first start", () => {
  const costs = () => {
    const estimate = new StartCosts({ tailSize: 200, snapshotEvery: 100 });
    // Events of 200 bytes (20 to a read unit), snapshots of 1 KB.
    estimate.read([{ pad: "x".repeat(197) }]);
    estimate.readSnapshot({ pad: "x".repeat(1021) });
    return estimate;
  };

  it("prices a young aggregate's tail as one query of all its events, and a snapshot-first start one half unit more", () => {
    assert.equal(costs().tail(30), 2);
    assert.equal(costs().sequential(30), 2.5, "no snapshot below 100: the lookup finds nothing and every event is read");
    assert.equal(costs().preferTail(30), true);
  });

  it("prices an old aggregate from its snapshot: the snapshot and the events from its version on, fewer units than the tail", () => {
    assert.equal(costs().tail(150), 8, "150 events of 200 bytes");
    assert.equal(costs().sequential(150), 0.5 + 3, "the snapshot at 100, then versions 100 to 150");
    assert.equal(costs().preferTail(150), false);
    assert.equal(costs().preferTail(100), false, "a snapshot at the aggregate's own version: one event to read");
  });

  it("adds the events between a snapshot and a tail that does not reach it", () => {
    const short = new StartCosts({ tailSize: 20, snapshotEvery: 100 });
    short.read([{ pad: "x".repeat(197) }]);
    short.readSnapshot({ pad: "x".repeat(1021) });
    // Tail: versions 131..150 (1 unit); the snapshot at 100 (0.5); versions 100..130 between (2 units).
    assert.equal(short.tail(150), 1 + 0.5 + 2);
  });

  it("starts an aggregate never seen as the first loads so far would have been cheapest: the tail at first and among young aggregates, the snapshot among old ones", () => {
    const estimate = costs();
    assert.equal(estimate.preferTail(undefined), true, "nothing learned yet: one round trip");
    for (let i = 0; i < 5; i += 1) estimate.loadedFirstTime(20);
    assert.equal(estimate.preferTail(undefined), true);
    for (let i = 0; i < 30; i += 1) estimate.loadedFirstTime(150);
    assert.equal(estimate.preferTail(undefined), false);
  });
});

describe("AggregateLoader's adaptive start", () => {
  it("reads an old aggregate never seen from its snapshot once the first loads showed old aggregates, fewer events for the same state", async () => {
    const events = new CountingEventStore();
    const snapshots = new InMemorySnapshotStore();
    for (let i = 0; i < 4; i += 1) await seedAccount(events, snapshots, accountEvents(`old-${i}`, 1, 150), 100);
    const loader = new AggregateLoader(accounts, events, snapshots);
    const full = await new AggregateLoader(accounts, events).load("old-3");
    events.reset();

    const first = await loader.load("old-0");
    assert.equal(events.tails, 1, "the first load reads the tail");
    assert.equal(events.itemsRead, 150, "all of it: the tail reaches version 1");
    assert.equal(first.version, 150);

    events.itemsRead = 0;
    await loader.load("old-1");
    await loader.load("old-2");
    const third = await loader.load("old-3");
    assert.deepEqual(third, full);
    assert.equal(events.tails, 1, "later first loads start from the snapshot");
    assert.equal(events.itemsRead, 3 * 51, "versions 100 to 150 of each");
  });

  it("keeps reading young aggregates never seen in one query", async () => {
    const events = new CountingEventStore();
    const snapshots = new InMemorySnapshotStore();
    for (let i = 0; i < 4; i += 1) await seedAccount(events, snapshots, accountEvents(`young-${i}`, 1, 40), 100);
    const loader = new AggregateLoader(accounts, events, snapshots);
    for (let i = 0; i < 4; i += 1) await loader.load(`young-${i}`);
    assert.equal(events.tails, 4);
    assert.equal(events.ranges, 0);
    assert.equal(events.itemsRead, 4 * 40);
  });
});
