import * as assert from "node:assert/strict";
import { defineDomain } from "../../../handlers/runtime/domain/domain";
import { LedgerEvent } from "../../../handlers/runtime/domain/domain";
import { reactionsOf } from "../../../handlers/runtime/reaction/reaction";
import { ReactorMessage } from "../../../handlers/runtime/reaction/reactor";
import { StoreUnavailableError } from "../../../handlers/runtime/support/errors";
import { NoteCommand, NoteState, notes, orders, publishedMessage, reactorOn, sharedParts, noteOrders } from "./fixtures";

const notesOf = async (parts: ReturnType<typeof sharedParts>, orderId: string): Promise<NoteState> =>
  (await parts.loader.load(`notes-${orderId}`)).state;

const scheduledMessages = (parts: ReturnType<typeof sharedParts>, at: Date): ReactorMessage[] =>
  parts.scheduler.due(at).map((command, index) => ({ messageId: `scheduled-${index}`, body: JSON.stringify(command) }));

describe("Reactor", () => {
  it("applies each source event's command once, however often the event is delivered", async () => {
    const { reactor, ...parts } = reactorOn(noteOrders);
    const placed = publishedMessage("o1", 1, "OrderPlaced");
    const first = await reactor.react([placed, { ...placed, messageId: "again" }]);
    const later = await reactor.react([placed]);
    assert.deepEqual((await notesOf(parts, "o1")).notes, [{ source: "o1", version: 1 }]);
    assert.equal(first.acted, 1);
    assert.equal(first.superseded, 1);
    assert.equal(later.superseded, 1);
    assert.equal(first.applied + later.applied, 1);
  });

  it("supersedes an event that arrives after a newer one, and tells the newer one what it acted on before", async () => {
    const seen: number[] = [];
    const watching = reactionsOf(notes).define({
      name: "note-orders",
      source: { contract: orders },
      eventTypes: ["OrderPlaced", "OrderChanged"],
      react: (input) => {
        seen.push(input.previousVersion);
        return noteOrders.react(input);
      },
    });
    const { reactor, ...parts } = reactorOn(watching);
    await reactor.react([publishedMessage("o1", 1, "OrderPlaced")]);
    const report = await reactor.react([publishedMessage("o1", 3, "OrderChanged")]);
    const late = await reactor.react([publishedMessage("o1", 2, "OrderChanged")]);
    assert.equal(report.acted, 1);
    assert.equal(late.superseded, 1);
    assert.deepEqual(seen, [0, 1]);
    assert.deepEqual(
      (await notesOf(parts, "o1")).notes.map((note) => note.version),
      [1, 3],
    );
  });

  it("acts on the versions of one batch in order, whatever order they came in", async () => {
    const { reactor, ...parts } = reactorOn(noteOrders);
    const report = await reactor.react(
      [3, 1, 2].map((version) => publishedMessage("o1", version, version === 1 ? "OrderPlaced" : "OrderChanged")),
    );
    assert.equal(report.acted, 3);
    assert.deepEqual(
      (await notesOf(parts, "o1")).notes.map((note) => note.version),
      [1, 2, 3],
    );
  });

  it("retries a command whose answer was lost, and applies it once", async () => {
    const parts = sharedParts();
    let lose = true;
    const losing = {
      ...parts,
      commands: {
        execute: async (id: string, command: NoteCommand, options: { idempotencyKey: string }) => {
          const result = await parts.commands.execute(id, command, options);
          if (lose) {
            lose = false;
            throw new StoreUnavailableError("TransactWriteItems", "notes ledger");
          }
          return result;
        },
      },
    };
    const { reactor } = reactorOn(noteOrders, losing as unknown as ReturnType<typeof sharedParts>);
    const placed = publishedMessage("o1", 1, "OrderPlaced");
    const failed = await reactor.react([placed]);
    assert.deepEqual(failed.batchItemFailures, [{ itemIdentifier: placed.messageId }]);
    const retried = await reactor.react([placed]);
    assert.equal(retried.acted, 1);
    assert.equal(retried.repeated, 1, "the retry is answered from the command's idempotency key");
    assert.deepEqual((await notesOf(parts, "o1")).notes, [{ source: "o1", version: 1 }]);
  });

  it("holds a newer version back while an older one is being acted on in another instance", async () => {
    const parts = sharedParts();
    const { reactor } = reactorOn(noteOrders, parts);
    // Another instance claimed version 1 and has not completed: version 2 waits.
    const placed = publishedMessage("o1", 1, "OrderPlaced");
    const stalled = reactorOn(noteOrders, {
      ...parts,
      commands: { execute: () => Promise.reject(new StoreUnavailableError("PutItem", "notes ledger")) } as never,
    });
    assert.equal((await stalled.reactor.react([placed])).batchItemFailures.length, 1);
    const changed = publishedMessage("o1", 2, "OrderChanged");
    const held = await reactor.react([changed]);
    assert.equal(held.waiting, 1);
    assert.deepEqual(held.batchItemFailures, [{ itemIdentifier: changed.messageId }]);
    await reactor.react([placed]);
    assert.equal((await reactor.react([changed])).acted, 1);
    assert.deepEqual(
      (await notesOf(parts, "o1")).notes.map((note) => note.version),
      [1, 2],
    );
  });

  it("counts a command the reacting domain refuses, records it under its key and never retries it", async () => {
    const closing = reactionsOf(notes).define({
      name: "close-then-note",
      source: { contract: orders },
      eventTypes: ["OrderPlaced", "OrderChanged"],
      react: ({ event }) =>
        event.type === "OrderPlaced"
          ? { aggregateId: "notes-shared", command: { type: "Close" } }
          : {
              aggregateId: "notes-shared",
              command: { type: "Note", source: event.aggregateId, version: event.version, amount: 1 },
            },
    });
    const { reactor, ...parts } = reactorOn(closing);
    await reactor.react([publishedMessage("o1", 1, "OrderPlaced")]);
    const refused = await reactor.react([publishedMessage("o1", 2, "OrderChanged")]);
    assert.equal(refused.rejected, 1);
    assert.equal(refused.acted, 1);
    assert.deepEqual(refused.batchItemFailures, []);
    assert.equal(parts.deadLetters.letters.length, 0);
    assert.deepEqual((await parts.loader.load("notes-shared")).state.notes, []);
  });

  it("dead-letters an event its reaction throws on, with the reason, and lets the next version act", async () => {
    const throwing = reactionsOf(notes).define({
      name: "throws-on-placed",
      source: { contract: orders },
      eventTypes: ["OrderPlaced", "OrderChanged"],
      react: (input) => {
        if (input.event.type === "OrderPlaced") throw new Error("no rule for placed orders");
        return noteOrders.react(input);
      },
    });
    const { reactor, ...parts } = reactorOn(throwing);
    const report = await reactor.react([publishedMessage("o1", 1, "OrderPlaced"), publishedMessage("o1", 2, "OrderChanged")]);
    assert.equal(report.deadLettered, 1);
    assert.equal(report.acted, 1);
    assert.match(parts.deadLetters.letters[0].reason, /throws-on-placed.*OrderPlaced v1 of "o1": no rule for placed orders/);
    assert.equal(parts.deadLetters.letters[0].origin, "reactor:throws-on-placed");
    assert.deepEqual(
      (await notesOf(parts, "o1")).notes.map((note) => note.version),
      [2],
    );
  });

  it("dead-letters a reply whose command names no valid aggregate", async () => {
    const invalid = reactionsOf(notes).define({
      name: "bad-id",
      source: { contract: orders },
      eventTypes: ["OrderPlaced"],
      react: () => ({ aggregateId: "", command: { type: "Close" } }),
    });
    const { reactor, ...parts } = reactorOn(invalid);
    const report = await reactor.react([publishedMessage("o1", 1, "OrderPlaced")]);
    assert.equal(report.deadLettered, 1);
    assert.match(parts.deadLetters.letters[0].reason, /command 0: /);
  });

  for (const [what, body, reason] of [
    ["a body that is not JSON", "{", /not JSON/],
    [
      "an event of another contract version",
      JSON.stringify({
        detail: { contract: "orders", contractVersion: 2, type: "OrderPlaced", aggregateId: "o1", version: 1, payload: {} },
      }),
      /not a published event of orders.v1: .*contractVersion/,
    ],
    [
      "a payload the contract refuses",
      JSON.stringify({
        detail: { contract: "orders", contractVersion: 1, type: "OrderPlaced", aggregateId: "o1", version: 1, payload: { orderId: "o1" } },
      }),
      /event.payload.*amount/,
    ],
    [
      "an event type the contract does not declare",
      JSON.stringify({ detail: { contract: "orders", contractVersion: 1, type: "OrderLost", aggregateId: "o1", version: 1, payload: {} } }),
      /"OrderLost" is not an event type of orders.v1/,
    ],
  ] as const) {
    it(`dead-letters ${what} with the reason`, async () => {
      const { reactor, ...parts } = reactorOn(noteOrders);
      const report = await reactor.react([{ messageId: "m", body }]);
      assert.equal(report.deadLettered, 1);
      assert.match(parts.deadLetters.letters[0].reason, reason);
    });
  }

  describe("commands asked for later", () => {
    const timeout = reactionsOf(notes).define({
      name: "timeout-orders",
      source: { contract: orders },
      eventTypes: ["OrderPlaced"],
      react: ({ event }) => ({
        aggregateId: `notes-${event.aggregateId}`,
        command: { type: "Timeout", version: event.version },
        at: new Date(Date.parse(event.timestamp) + 15 * 60_000),
      }),
    });

    it("schedules a command whose time has not come, once per source event, and applies it once when due", async () => {
      const { reactor, ...parts } = reactorOn(timeout);
      const placed = publishedMessage("o1", 1, "OrderPlaced");
      const report = await reactor.react([placed]);
      assert.equal(report.scheduled, 1);
      assert.equal(report.applied, 0);
      assert.equal(parts.scheduler.waiting, 1);
      assert.deepEqual(scheduledMessages(parts, new Date(Date.UTC(2026, 11, 1, 12, 10))), [], "not due after 10 minutes");
      parts.clock.now = new Date(Date.UTC(2026, 11, 1, 12, 16));
      const due = scheduledMessages(parts, parts.clock.now);
      assert.equal(due.length, 1);
      const ran = await reactor.react([...due, ...due]);
      assert.equal(ran.applied, 1);
      assert.equal(ran.repeated, 1, "the second delivery of the schedule is answered from its key");
      assert.equal((await notesOf(parts, "o1")).timeouts, 1);
    });

    it("applies at once a command due in less than 5 seconds (a schedule for it could arrive too late: Scheduler refuses a time past)", async () => {
      const soon = reactionsOf(notes).define({
        name: "soon",
        source: { contract: orders },
        eventTypes: ["OrderPlaced"],
        react: ({ event }) => ({
          aggregateId: `notes-${event.aggregateId}`,
          command: { type: "Timeout", version: event.version },
          at: "2026-12-01T12:00:03Z",
        }),
      });
      const { reactor, ...parts } = reactorOn(soon);
      const report = await reactor.react([publishedMessage("o1", 1, "OrderPlaced")]);
      assert.deepEqual([report.applied, report.scheduled, parts.scheduler.waiting], [1, 0, 0]);
    });

    it("dead-letters a command whose at names no time zone, which would mean one time in Lambda and another on a laptop", async () => {
      const local = reactionsOf(notes).define({
        name: "local-time",
        source: { contract: orders },
        eventTypes: ["OrderPlaced"],
        react: ({ event }) => ({
          aggregateId: `notes-${event.aggregateId}`,
          command: { type: "Timeout", version: event.version },
          at: "2026-12-01T12:15:00",
        }),
      });
      const { reactor, ...parts } = reactorOn(local);
      const report = await reactor.react([publishedMessage("o1", 1, "OrderPlaced")]);
      assert.deepEqual([report.applied, report.scheduled, report.deadLettered], [0, 0, 1]);
      assert.match(parts.deadLetters.letters[0].reason, /at "2026-12-01T12:15:00" names no time zone/);
    });

    it("applies at once a command whose time has already come", async () => {
      const { reactor, ...parts } = reactorOn(timeout);
      parts.clock.now = new Date(Date.UTC(2026, 11, 2));
      const report = await reactor.react([publishedMessage("o1", 1, "OrderPlaced")]);
      assert.equal(report.applied, 1);
      assert.equal(parts.scheduler.waiting, 0);
    });
  });

  it("gives a reaction to a domain's own events the aggregate's state after the event", async () => {
    const counter = defineDomain<{ count: number }, { type: "Add" }, { type: "Added"; payload: { by: number } }>({
      name: "Counter",
      schemaVersion: 3,
      initialState: () => ({ count: 0 }),
      eventTypes: { Added: () => undefined },
      reduce: (state, event) => ({ count: state.count + event.payload.by }),
      decide: () => [{ type: "Added", payload: { by: 1 } }],
    });
    const states: number[] = [];
    const own = reactionsOf(notes).define({
      name: "on-added",
      source: { service: "counters", domain: counter },
      eventTypes: ["Added"],
      react: ({ event, state }) => {
        states.push(state.count);
        return {
          aggregateId: "notes-c",
          command: { type: "Note", source: event.aggregateId, version: event.version, amount: state.count },
        };
      },
    });
    const { reactor } = reactorOn(own);
    const event: LedgerEvent = { aggregateId: "c1", version: 2, type: "Added", payload: { by: 5 }, timestamp: "2026-12-01T12:00:00.000Z" };
    const body = JSON.stringify({
      source: "counters",
      "detail-type": "Added",
      detail: { schemaVersion: 3, event, aggregate: { version: 2, state: { count: 7 } } },
    });
    const report = await reactor.react([{ messageId: "m", body }]);
    assert.equal(report.acted, 1);
    assert.deepEqual(states, [7]);
    const stale = JSON.stringify({
      detail: { schemaVersion: 2, event: { ...event, version: 3 }, aggregate: { version: 3, state: { n: 1 } } },
    });
    const refused = await reactor.react([{ messageId: "n", body: stale }]);
    assert.equal(refused.deadLettered, 1, "a state of another schema version is never handed to the reaction");
    void notes;
  });

  it("refuses a reaction to an event type its source does not declare", () => {
    assert.throws(
      () =>
        // @ts-expect-error: "OrderPlacd" is not an event type of the contract
        reactionsOf(notes).define({
          name: "typo",
          source: { contract: orders },
          eventTypes: ["OrderPlacd"],
          react: () => undefined,
        }),
      /reacts to "OrderPlacd", which its source does not declare \(it declares: OrderPlaced, OrderChanged, OrderClosed\)/,
    );
  });

  it("types a reply by the reacting domain's commands and an event by the contract", () => {
    const typed = reactionsOf(notes).define({
      name: "typed",
      source: { contract: orders },
      eventTypes: ["OrderPlaced"],
      react: ({ event }) => {
        // @ts-expect-error: OrderPlaced's public payload has no "customer"
        void event.payload.customer;
        return { aggregateId: "n", command: { type: "Close" } };
      },
    });
    assert.equal(typed.target, notes);
    reactionsOf(notes).define({
      name: "untyped",
      source: { contract: orders },
      eventTypes: ["OrderPlaced"],
      // @ts-expect-error: "Erase" is not a command of the notes domain
      react: () => ({ aggregateId: "n", command: { type: "Erase" } }),
    });
  });
});
