import * as assert from "node:assert/strict";
import { CommitTooLargeError, IdempotencyKeyTakenError, VersionConflictError, VersionGapError } from "../../handlers/runtime/ledger/errors";
import { InvalidEventError } from "../../handlers/runtime/domain/errors";
import { DYNAMODB_LIMITS, itemSize } from "../../handlers/runtime/domain/storable";
import {
  IdempotencyRecord,
  ReadModelStore,
  Snapshot,
  SnapshotStore,
  EventStore,
  StoredEventItem,
} from "../../handlers/runtime/ledger/stores";

/**
 * The contracts every store implementation honours, one suite per port, run against the in-memory
 * stores (unit tier) and the DynamoDB ones (on DynamoDB Local). A store that passes can stand in
 * for the other in a test or a local run without changing what the code under test sees.
 */

const at = (aggregateId: string, version: number, extra: Partial<StoredEventItem> = {}): StoredEventItem => ({
  aggregateId,
  version,
  type: "Credited",
  payload: { amount: version },
  timestamp: `2026-01-01T00:00:${String(version % 60).padStart(2, "0")}.000Z`,
  ...extra,
});
const versions = (items: Record<string, unknown>[]) => items.map((item) => item.version);
const record = (key: string): IdempotencyRecord => ({
  idempotencyKey: key,
  fingerprint: "f",
  commitId: "ignored",
  outcome: "committed",
  commits: [],
  expiresAt: Math.floor(Date.now() / 1000) + 3600,
});

export function eventStoreContract(make: () => Promise<EventStore>): void {
  describe("EventStore contract", () => {
    let store: EventStore;
    beforeEach(async () => (store = await make()));

    it("gives back what it was given, in version order, every field intact", async () => {
      await store.append(
        [at("a", 1, { metadata: { by: "ada" }, payload: { amount: 1, note: "x", nested: { list: [1, "two", null] } } }), at("a", 2)],
        { commitId: "c-1" },
      );
      const [first, second] = await store.read("a", 0);
      assert.equal(first.aggregateId, "a");
      assert.deepEqual(first.payload, { amount: 1, note: "x", nested: { list: [1, "two", null] } });
      assert.deepEqual(first.metadata, { by: "ada" });
      assert.equal(first.commitId, "c-1");
      assert.equal(first.timestamp, "2026-01-01T00:00:01.000Z");
      assert.equal(second.version, 2);
    });

    it("writes each version once: a taken version is a VersionConflictError and nothing of that commit is written", async () => {
      await store.append([at("a", 1), at("a", 2)]);
      await assert.rejects(
        store.append([at("a", 2), at("a", 3)]),
        (error: unknown) => error instanceof VersionConflictError && error.aggregateId === "a" && error.version === 2,
      );
      assert.deepEqual(versions(await store.read("a", 0)), [1, 2]);
    });

    it("never leaves a gap: a version whose predecessor is missing is a VersionGapError", async () => {
      await store.append([at("a", 1)]);
      await assert.rejects(
        store.append([at("a", 3)]),
        (error: unknown) => error instanceof VersionGapError && error.aggregateId === "a" && error.missingVersion === 2,
      );
      assert.deepEqual(versions(await store.read("a", 0)), [1]);
    });

    it("commits several aggregates atomically: one conflict writes none of them", async () => {
      await store.append([at("b", 1)]);
      await assert.rejects(store.append([at("a", 1), at("b", 1)]), VersionConflictError);
      assert.deepEqual(await store.read("a", 0), []);
      await store.append([at("a", 1), at("b", 2)]);
      assert.deepEqual([versions(await store.read("a", 0)), versions(await store.read("b", 0))], [[1], [1, 2]]);
    });

    it("recognises its own commit sent again by commit id: success, nothing written twice", async () => {
      await store.append([at("a", 1)], { commitId: "same" });
      assert.deepEqual(await store.append([at("a", 1)], { commitId: "same" }), { commitId: "same" });
      await store.append([at("a", 2), at("a", 3)], { commitId: "pair" });
      assert.deepEqual(await store.append([at("a", 2), at("a", 3)], { commitId: "pair" }), { commitId: "pair" });
      assert.deepEqual(versions(await store.read("a", 0)), [1, 2, 3]);
    });

    it("remembers an idempotency key with its commit: a second commit with the key is refused with the first record", async () => {
      await store.append([at("a", 1)], { commitId: "first", idempotency: record("key-1") });
      await assert.rejects(store.append([at("a", 2)], { commitId: "second", idempotency: record("key-1") }), (error: unknown) => {
        assert.ok(error instanceof IdempotencyKeyTakenError);
        assert.equal(error.record.commitId, "first");
        return true;
      });
      assert.deepEqual(versions(await store.read("a", 0)), [1]);
      // A key alone (a remembered rejection) is a commit too.
      await store.append([], { commitId: "rejected", idempotency: { ...record("key-2"), outcome: "rejected" } });
      await assert.rejects(store.append([at("a", 2)], { idempotency: record("key-2") }), IdempotencyKeyTakenError);
    });

    it("reads the record a key holds, consistently, and nothing for a key it does not hold", async () => {
      await store.append([at("a", 1)], { commitId: "first", idempotency: record("key-3") });
      const held = await store.idempotencyRecord?.("key-3");
      assert.deepEqual([held?.commitId, held?.fingerprint, held?.outcome], ["first", "f", "committed"]);
      assert.equal(await store.idempotencyRecord?.("never-sent"), undefined);
    });

    it("counts the key's record in a transaction's bytes: events just under 4 MB and a record that passes it are refused whole", async () => {
      const budget = DYNAMODB_LIMITS.transactionBytes - 8_000;
      const empty = itemSize(at("big", 1, { payload: { blob: "" } }) as unknown as Record<string, unknown>);
      const blob = "x".repeat(Math.floor(budget / 11) - empty);
      const events = Array.from({ length: 11 }, (_, index) => at("big", index + 1, { payload: { blob } }));
      await assert.rejects(
        store.append(events, { idempotency: { ...record("key-4"), fingerprint: "f".repeat(20_000) } }),
        (error: unknown) => error instanceof CommitTooLargeError && error.unit === "bytes",
      );
      assert.deepEqual(await store.read("big", 0), []);
    });

    it("reads a range and the latest events in version order", async () => {
      await store.append([1, 2, 3, 4, 5, 6].map((version) => at("a", version)));
      assert.deepEqual(versions(await store.read("a", 2)), [3, 4, 5, 6]);
      assert.deepEqual(versions(await store.read("a", 2, 4)), [3, 4]);
      assert.deepEqual(versions(await store.readLatest("a", 2)), [5, 6]);
      assert.deepEqual(versions(await store.readLatest("a", 2, 3)), [2, 3]);
      assert.deepEqual(await store.readLatest("unknown", 5), []);
    });

    it("refuses what DynamoDB could not store or write atomically, before writing anything", async () => {
      await assert.rejects(store.append([at("a", 1, { payload: { list: [1, undefined] } })]), InvalidEventError);
      await assert.rejects(store.append([at("a", 1), at("a", 3)]), /contiguous/);
      await assert.rejects(store.append(Array.from({ length: 101 }, (_, index) => at("big", index + 1))), CommitTooLargeError);
      await assert.rejects(store.append([at("a", 1, { payload: { blob: "x".repeat(400 * 1024) } })]), /item limit/);
      assert.deepEqual(await store.read("a", 0), []);
    });
  });
}

const snapshot = (aggregateId: string, version: number, schemaVersion = 1): Snapshot => ({
  aggregateId,
  version,
  schemaVersion,
  state: { at: version },
  checksum: `sum-${version}`,
});

export function snapshotStoreContract(make: () => Promise<SnapshotStore>): void {
  describe("SnapshotStore contract", () => {
    let store: SnapshotStore;
    beforeEach(async () => (store = await make()));

    it("finds the latest snapshot at or below a version, exactly one by key, and several at once", async () => {
      for (const version of [100, 200, 300]) await store.save(snapshot("a", version));
      assert.equal((await store.latest("a"))?.version, 300);
      assert.equal((await store.latest("a", 250))?.version, 200);
      assert.equal(await store.latest("a", 99), undefined);
      assert.deepEqual(await store.get("a", 200), snapshot("a", 200));
      assert.equal(await store.get("a", 150), undefined);
      const many = await store.getMany([
        { aggregateId: "a", version: 100 },
        { aggregateId: "a", version: 101 },
        { aggregateId: "b", version: 100 },
      ]);
      assert.deepEqual(
        many.map((found) => `${found.aggregateId}@${found.version}`),
        ["a@100"],
      );
    });

    it("keeps the first snapshot of a schema at a version: saving again changes nothing", async () => {
      await store.save(snapshot("a", 100));
      await store.save({ ...snapshot("a", 100), state: { other: true } });
      assert.deepEqual((await store.get("a", 100))?.state, { at: 100 });
      await store.save({ ...snapshot("a", 100, 2), state: { migrated: true } });
      assert.deepEqual((await store.get("a", 100))?.state, { migrated: true }, "a new schema replaces it");
    });
  });
}

export function readModelContract(make: () => Promise<ReadModelStore>): void {
  describe("ReadModelStore contract", () => {
    let store: ReadModelStore;
    beforeEach(async () => (store = await make()));

    it("overwrites a row only with a strictly higher version, and says which version it kept", async () => {
      assert.deepEqual(await store.putIfNewer("a", 2, { balance: 20 }), { written: true });
      assert.deepEqual(await store.putIfNewer("a", 2, { balance: 99 }), { written: false, storedVersion: 2 });
      assert.deepEqual(await store.putIfNewer("a", 1, { balance: 10 }), { written: false, storedVersion: 2 });
      assert.deepEqual(await store.putIfNewer("a", 3, { balance: 30 }), { written: true });
      assert.deepEqual(await store.get("a"), { id: "a", version: 3, balance: 30 });
      assert.equal(await store.get("missing"), undefined);
    });
  });
}
