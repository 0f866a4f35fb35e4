import * as assert from "node:assert/strict";
import { AggregateLoader } from "../../handlers/runtime/ledger/aggregateLoader";
import { CommandHandler } from "../../handlers/runtime/command/commandHandler";
import { Dispatcher } from "../../handlers/runtime/dispatch/dispatcher";
import { defineDomain, domainProblem } from "../../handlers/runtime/domain/domain";
import { InvalidEventError } from "../../handlers/runtime/domain/errors";
import { InMemoryDeadLetters } from "../../handlers/runtime/memory/deadLetters";
import { StateCarriedMessage } from "../../handlers/runtime/messages/stateCarried";
import { EventStore } from "../../handlers/runtime/ledger/stores";
import { insertRecord } from "../../local/streamPoller";
import { unmarshallImage } from "../../handlers/runtime/aws/streamImages";

/**
 * A meter whose reading changed shape twice: v1 `{ kwh }`, v2 `{ wh }` (kWh × 1000), v3 `{ wh, source }`.
 * The reducer and decide know only v3.
 */
type MeterEvent = { type: "Read"; payload: { wh: number; source: string } };
const meter = defineDomain<{ total: number; sources: string[] }, { kind: "Read"; wh: number }, MeterEvent>({
  name: "Meter",
  schemaVersion: 1,
  initialState: () => ({ total: 0, sources: [] }),
  eventTypes: {
    Read: (payload) => (typeof payload.wh === "number" && typeof payload.source === "string" ? undefined : "a reading needs wh and source"),
  },
  payloadVersions: {
    Read: {
      current: 3,
      from: {
        1: ({ kwh, ...rest }) => ({ ...rest, wh: (kwh as number) * 1000 }),
        2: (payload) => ({ ...payload, source: "manual" }),
      },
    },
  },
  reduce: (state, event) => ({ total: state.total + event.payload.wh, sources: [...state.sources, event.payload.source] }),
  decide: (_state, command) => [{ type: "Read", payload: { wh: command.wh, source: "api" } }],
});

const stored = (version: number, payload: Record<string, unknown>, payloadVersion?: number) => ({
  aggregateId: "m-1",
  version,
  type: "Read",
  payload,
  timestamp: "2026-01-01T00:00:00.000Z",
  ...(payloadVersion ? { payloadVersion } : {}),
});

/** Upcasting on a ledger that holds every shape an event type ever had, on the given store. */
export function upcastingSuite(makeStore: () => Promise<EventStore>): void {
  describe("event upcasting over a ledger holding old and new payload shapes", () => {
    let events: EventStore;
    beforeEach(async () => {
      events = await makeStore();
      // Written by three releases: no payloadVersion (v1), then v2, then v3.
      await events.append([stored(1, { kwh: 2 }), stored(2, { wh: 500 }, 2), stored(3, { wh: 250, source: "meter" }, 3)]);
    });

    it("folds every shape as the current one when a command loads, and never rewrites the ledger", async () => {
      const handler = new CommandHandler(new AggregateLoader(meter, events), events);
      const result = await handler.execute("m-1", { kind: "Read", wh: 1 });
      assert.deepEqual(result.aggregate.state, { total: 2000 + 500 + 250 + 1, sources: ["manual", "manual", "meter", "api"] });
      const raw = await events.read("m-1", 0);
      assert.deepEqual(
        raw.map((item) => [item.payload, item.payloadVersion]),
        [
          [{ kwh: 2 }, undefined],
          [{ wh: 500 }, 2],
          [{ wh: 250, source: "meter" }, 3],
          [{ wh: 1, source: "api" }, 3],
        ],
        "old items stay as written; the new one carries the current payload version",
      );
    });

    it("publishes upcast events from the dispatcher's fold", async () => {
      const published: StateCarriedMessage[] = [];
      const dispatcher = new Dispatcher({
        unmarshall: unmarshallImage,
        domain: meter,
        loader: new AggregateLoader(meter, events),
        bus: { putEvents: async (entries) => entries.map((entry) => void published.push(JSON.parse(entry.detail))) },
        deadLetters: new InMemoryDeadLetters(),
        source: "meters",
      });
      const items = await events.read("m-1", 0);
      const report = await dispatcher.dispatch(items.map((item, index) => insertRecord(item, String(index + 1).padStart(21, "0"))));
      assert.deepEqual(report.batchItemFailures, []);
      assert.deepEqual(
        published.map((message) => message.event.payload),
        [
          { wh: 2000, source: "manual" },
          { wh: 500, source: "manual" },
          { wh: 250, source: "meter" },
        ],
      );
      assert.deepEqual(published.at(-1)?.aggregate?.state, { total: 2750, sources: ["manual", "manual", "meter"] });
    });

    it("refuses a payload written by a newer release than this one, naming the versions", async () => {
      await events.append([stored(4, { wh: 1, source: "x", unit: "Wh" }, 4)]);
      await assert.rejects(
        new AggregateLoader(meter, events).load("m-1"),
        (error: unknown) =>
          error instanceof InvalidEventError && /payload version 4 is newer than this release knows \(3\)/.test(error.message),
      );
    });
  });

  it("a domain missing a step of its upcasters is refused when it is defined into a handler", () => {
    const broken = { ...meter, payloadVersions: { Read: { current: 3, from: { 1: meter.payloadVersions!.Read!.from[1] } } } };
    assert.equal(domainProblem(broken), "payloadVersions.Read has no upcaster from version 2");
  });
}

/** The test kit reads given events in the current shape, or in the one they name, as the ledger would. */
export function upcastingSpecSuite(): void {
  it("deciderSpec takes given events in the current shape, or upcasts those that name an older payload version", async () => {
    const { deciderSpec } = await import("../../handlers/runtime/testing/deciderSpec");
    const spec = deciderSpec(meter);
    spec
      .given([{ type: "Read", payload: { wh: 5, source: "meter" } }])
      .when({ kind: "Read", wh: 1 })
      .then([{ type: "Read", payload: { wh: 1, source: "api" } }]);
    spec
      .given([{ type: "Read", payload: { kwh: 1 }, payloadVersion: 1 }])
      .when({ kind: "Read", wh: 1 })
      .then([{ type: "Read", payload: { wh: 1, source: "api" } }]);
    assert.throws(
      () =>
        spec
          .given([{ type: "Read", payload: { kwh: 1 } } as never])
          .when({ kind: "Read", wh: 1 })
          .then([]),
      /a reading needs wh and source/,
    );
  });
}
