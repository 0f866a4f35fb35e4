import * as assert from "node:assert/strict";
import { AccountCommand, AccountState, accounts } from "../../../examples/accounts/domain";
import { AggregateLoader } from "../../../handlers/runtime/ledger/aggregateLoader";
import { CommandHandler } from "../../../handlers/runtime/command/commandHandler";
import { VersionConflictError } from "../../../handlers/runtime/ledger/errors";
import { AppendOptions, StoredEventItem } from "../../../handlers/runtime/ledger/stores";
import { CountingEventStore } from "../../support/countingEventStore";
import { MAX_WAKES_HELD } from "../../../handlers/runtime/command/contention";

/**
 * The in-memory ledger answering a conflict as DynamoDB does (the item at the refused version in
 * the refusal), optionally with a doctored item; `race` runs once just before the next append
 * (another process committing between a command's read and its write). Counts reads and appends
 * (the racer's too: it writes through this store).
 */
class ConflictAnsweringStore extends CountingEventStore {
  race?: () => Promise<unknown>;
  /** Runs once just before the next range read (another process committing between a command's pause and its read). */
  beforeRead?: () => Promise<unknown>;
  doctor: (held: Record<string, unknown>) => Record<string, unknown> = (held) => held;

  override async read(aggregateId: string, after: number, upTo?: number) {
    const before = this.beforeRead;
    this.beforeRead = undefined;
    await before?.();
    return super.read(aggregateId, after, upTo);
  }

  override async append(events: readonly StoredEventItem[], options?: AppendOptions) {
    const race = this.race;
    this.race = undefined;
    await race?.();
    try {
      return await super.append(events, options);
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      const [held] = await this.target.read(error.aggregateId, error.version - 1, error.version);
      throw new VersionConflictError(error.aggregateId, error.version, { cause: error, held: this.doctor(held) });
    }
  }
}

describe("command handler: a conflict's answer carries the winner's event", () => {
  const side = () => {
    const events = new ConflictAnsweringStore();
    const handler = (options = {}) =>
      new CommandHandler<AccountState, AccountCommand>(new AggregateLoader(accounts, events), events, {
        rememberedAggregates: 0,
        ...options,
      });
    return { events, handler };
  };

  it("decides again on the winner's event from the refusal: one read, no catch-up, the second write lands after it", async () => {
    const { events, handler } = side();
    await handler().execute("acc", { kind: "Open", owner: "ada" });
    events.race = () => handler().execute("acc", { kind: "Credit", amount: 5 });
    events.reset();

    const result = await handler().execute("acc", { kind: "Credit", amount: 7 });

    assert.deepEqual([result.aggregate.version, result.aggregate.state.balance, result.attempts], [3, 12, 2]);
    // The racer's own read and write are counted too: its load and append, then ours (load, refused append, append).
    assert.equal(events.reads, 2, "our load and the racer's: no query after the conflict");
    assert.equal(events.appends, 3);
    assert.deepEqual(
      (await events.target.read("acc", 0)).map((item) => item.version),
      [1, 2, 3],
    );
  });

  it("reads the ledger instead when the refusal's item is not the version it refused", async () => {
    const { events, handler } = side();
    await handler().execute("acc", { kind: "Open", owner: "ada" });
    events.race = () => handler().execute("acc", { kind: "Credit", amount: 5 });
    events.doctor = (held) => ({ ...held, version: 7 });
    events.reset();

    const result = await handler().execute("acc", { kind: "Credit", amount: 7 });

    assert.deepEqual([result.aggregate.version, result.aggregate.state.balance], [3, 12]);
    assert.equal(events.reads, 3, "our load, the racer's, and the catch-up the doctored item could not replace");
  });

  it("refuses a refusal's item that is not a valid event of the domain, as a read of it would", async () => {
    const { events, handler } = side();
    await handler().execute("acc", { kind: "Open", owner: "ada" });
    events.race = () => handler().execute("acc", { kind: "Credit", amount: 5 });
    events.doctor = (held) => ({ ...held, type: "Stolen" });
    await assert.rejects(handler().execute("acc", { kind: "Credit", amount: 7 }), /unknown event type "Stolen"/);
  });

  it("catches a memory older than a second that is several versions behind up in one read, not one refused write per missed event", async () => {
    const { events, handler } = side();
    let now = Date.UTC(2026, 11, 1);
    const remembering = handler({ rememberedAggregates: 10, start: "decide-first", now: () => new Date(now) });
    await remembering.execute("acc", { kind: "Open", owner: "ada" });
    for (const amount of [1, 2, 3]) await handler().execute("acc", { kind: "Credit", amount });
    now += 1_000;
    events.reset();

    const result = await remembering.execute("acc", { kind: "Credit", amount: 10 });

    assert.deepEqual([result.aggregate.version, result.aggregate.state.balance], [5, 16]);
    assert.deepEqual([events.appends, events.reads], [2, 1], "the refused write, one catch-up, the write");
  });

  it("takes one missed event from the refusal on a memory the ledger proved just before, and catches up in one read when it missed more", async () => {
    const { events, handler } = side();
    const remembering = handler({ rememberedAggregates: 10 });
    await remembering.execute("acc", { kind: "Open", owner: "ada" });
    await handler().execute("acc", { kind: "Credit", amount: 1 });
    events.reset();

    const once = await remembering.execute("acc", { kind: "Credit", amount: 10 });
    assert.deepEqual([once.aggregate.version, once.aggregate.state.balance], [3, 11]);
    assert.deepEqual([events.appends, events.reads], [2, 0], "the refused write carried version 2: no read");

    // Another handler, which has met no conflict on it yet, remembers version 3; three commits follow.
    const another = handler({ rememberedAggregates: 10 });
    await another.query("acc");
    for (const amount of [1, 2, 3]) await handler().execute("acc", { kind: "Credit", amount });
    events.reset();
    const more = await another.execute("acc", { kind: "Credit", amount: 100 });
    assert.deepEqual([more.aggregate.version, more.aggregate.state.balance], [7, 117]);
    assert.deepEqual([events.appends, events.reads], [3, 1], "a step on the refusal's event, then one catch-up for the rest");
  });
});

describe("command handler: a conflict on a command over several aggregates", () => {
  const side = () => {
    const events = new ConflictAnsweringStore();
    const handler = () =>
      new CommandHandler<AccountState, AccountCommand>(new AggregateLoader(accounts, events), events, { rememberedAggregates: 0 });
    const transfer = (amount: number): AccountCommand => ({ kind: "Transfer", from: "a", to: "b", amount });
    const open = async () => {
      for (const id of ["a", "b"]) {
        await handler().execute(id, { kind: "Open", owner: id });
        await handler().execute(id, { kind: "Credit", amount: 100 });
      }
    };
    /** Another process commits a transfer (moving both accounts) between our next read and our write. */
    const raceATransfer = () => (events.race = () => handler().executeMany(["a", "b"], transfer(1)));
    const count = () => events.reset();
    return { events, handler, transfer, open, raceATransfer, count };
  };

  it("takes the winner's event for the refused aggregate and reads the others the winner moved: one refused write, not two", async () => {
    const { events, handler, transfer, open, raceATransfer, count } = side();
    await open();
    raceATransfer();
    count();

    const result = await handler().executeMany(["a", "b"], transfer(7));

    assert.equal(result.attempts, 2);
    assert.deepEqual([result.aggregates.get("a")!.state.balance, result.aggregates.get("b")!.state.balance], [92, 108]);
    // The racer's load of both and its write; ours: the load of both, the refused write, a read of b, the write.
    assert.deepEqual([events.appends, events.reads], [3, 5]);
  });

  it("after yielding on a hot aggregate reads every aggregate of the command before writing, so the write is not refused on another", async () => {
    const { events, handler, transfer, open, raceATransfer, count } = side();
    await open();
    const contended = handler();
    raceATransfer();
    await contended.executeMany(["a", "b"], transfer(7));
    // A second conflict within the contention window: this command pauses, then reads, then writes.
    raceATransfer();
    count();

    const result = await contended.executeMany(["a", "b"], transfer(7));

    assert.equal(result.attempts, 2, "the refused write and the one after the pause");
    assert.deepEqual([result.aggregates.get("a")!.state.balance, result.aggregates.get("b")!.state.balance], [84, 116]);
    assert.deepEqual([events.appends, events.reads], [3, 6], "the racer's write, our refused one and the one after the pause");
  });
});

describe("command handler: a command woken from its pause on a hot aggregate", () => {
  const side = () => {
    const events = new ConflictAnsweringStore();
    const handler = () =>
      new CommandHandler<AccountState, AccountCommand>(new AggregateLoader(accounts, events), events, { rememberedAggregates: 0 });
    const other = handler();
    const credit = (amount: number): AccountCommand => ({ kind: "Credit", amount });
    /** Another process commits just before each of our next `times` catch-up reads: a writer still committing. */
    const commitBeforeReads = (times: number) => {
      if (times > 0) events.beforeRead = () => other.execute("acc", credit(1)).then(() => commitBeforeReads(times - 1));
    };
    /** Makes "acc" hot for `ours` (a conflict within the window), then has its next command refused and pause. */
    const pauseOnAHotAggregate = async (ours: CommandHandler<AccountState, AccountCommand>, then: () => void) => {
      await ours.execute("acc", { kind: "Open", owner: "ada" });
      events.race = () => other.execute("acc", credit(1));
      await ours.execute("acc", credit(1));
      events.race = () => other.execute("acc", credit(1)).then(then);
    };
    return { events, handler, credit, commitBeforeReads, pauseOnAHotAggregate };
  };

  it("reads again instead of writing while the writer it yielded to is still committing, and writes once it stopped: no refused write", async () => {
    const { events, handler, credit, commitBeforeReads, pauseOnAHotAggregate } = side();
    const ours = handler();
    await pauseOnAHotAggregate(ours, () => commitBeforeReads(2));
    events.reset();

    const result = await ours.execute("acc", credit(100));

    // Ours: the load, the refused write, three catch-ups (two found a fresh event), the write. The other's: a load and a write each time.
    assert.deepEqual([events.appends, events.ranges], [2 + 3, 1 + 3 + 3]);
    assert.deepEqual([result.attempts, result.aggregate.version, result.aggregate.state.balance], [2, 7, 105]);
  });

  it(`writes after ${MAX_WAKES_HELD} wakes in a row found the writer still committing: a writer that never stops does not hold it off for ever`, async () => {
    const { events, handler, credit, commitBeforeReads, pauseOnAHotAggregate } = side();
    const ours = handler();
    await pauseOnAHotAggregate(ours, () => commitBeforeReads(MAX_WAKES_HELD + 5));
    events.reset();

    const result = await ours.execute("acc", credit(100));

    const catchUps = MAX_WAKES_HELD + 1;
    assert.equal(events.ranges, 1 + catchUps + 1 + catchUps, "ours: the load and the catch-ups; the other's: a load per commit");
    assert.deepEqual([result.attempts, result.aggregate.version], [2, 3 + 1 + catchUps + 1]);
    events.beforeRead = undefined;
  });
});
