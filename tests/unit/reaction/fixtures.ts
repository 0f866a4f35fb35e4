import { defineContract } from "../../../handlers/runtime/contracts/contract";
import { CommandHandler } from "../../../handlers/runtime/command/commandHandler";
import { defineDomain, reject } from "../../../handlers/runtime/domain/domain";
import { AggregateLoader } from "../../../handlers/runtime/ledger/aggregateLoader";
import { InMemoryDeadLetters } from "../../../handlers/runtime/memory/deadLetters";
import { InMemoryEventStore } from "../../../handlers/runtime/memory/eventStore";
import { InMemoryReactionCheckpoints } from "../../../handlers/runtime/memory/reactionCheckpoints";
import { InMemoryScheduler } from "../../../handlers/runtime/memory/scheduler";
import { Reaction, reactionsOf } from "../../../handlers/runtime/reaction/reaction";
import { Reactor, ReactorMessage } from "../../../handlers/runtime/reaction/reactor";
import { RuntimeLogger } from "../../../handlers/runtime/support/log";

const quiet = () => undefined;
export const silentLogger: RuntimeLogger = { debug: quiet, info: quiet, warn: quiet, error: quiet };

/** The producer's public events: an order placed, changed, closed. */
export type OrderEvents =
  | { type: "OrderPlaced"; payload: { orderId: string; amount: number } }
  | { type: "OrderChanged"; payload: { orderId: string; amount: number } }
  | { type: "OrderClosed"; payload: { orderId: string } };

const withAmount = {
  type: "object",
  properties: { orderId: { type: "string" }, amount: { type: "number" } },
  required: ["orderId", "amount"],
} as const;

export const orders = defineContract<OrderEvents>({
  service: "orders",
  name: "orders",
  version: 1,
  eventTypes: {
    OrderPlaced: withAmount,
    OrderChanged: withAmount,
    OrderClosed: { type: "object", properties: { orderId: { type: "string" } }, required: ["orderId"] },
  },
});

/** The reacting service's ledger: one `Noted` event per source event acted on, and a `Closed` refusal rule. */
export type NoteCommand =
  { type: "Note"; source: string; version: number; amount: number } | { type: "Close" } | { type: "Timeout"; version: number };
export interface NoteState {
  notes: { source: string; version: number }[];
  closed: boolean;
  timeouts: number;
}

export const notes = defineDomain<
  NoteState,
  NoteCommand,
  | { type: "Noted"; payload: { source: string; version: number; amount: number } }
  | { type: "Closed"; payload: Record<string, never> }
  | { type: "TimedOut"; payload: { version: number } }
>({
  name: "Notes",
  schemaVersion: 1,
  initialState: () => ({ notes: [], closed: false, timeouts: 0 }),
  eventTypes: {
    Noted: (payload) => (typeof payload.version === "number" ? undefined : "needs a version"),
    Closed: () => undefined,
    TimedOut: () => undefined,
  },
  reduce: (state, event) => {
    switch (event.type) {
      case "Noted":
        return { ...state, notes: [...state.notes, { source: event.payload.source, version: event.payload.version }] };
      case "Closed":
        return { ...state, closed: true };
      case "TimedOut":
        return { ...state, timeouts: state.timeouts + 1 };
    }
  },
  decide: (state, command) => {
    if (state.closed) return reject("closed", "the notes are closed");
    switch (command.type) {
      case "Note":
        return [{ type: "Noted", payload: { source: command.source, version: command.version, amount: command.amount } }];
      case "Close":
        return [{ type: "Closed", payload: {} }];
      case "Timeout":
        return [{ type: "TimedOut", payload: { version: command.version } }];
    }
  },
});

/** Notes every placed or changed order on the order's own notes aggregate (closing is not subscribed). */
export const noteOrders = reactionsOf(notes).define({
  name: "note-orders",
  source: { contract: orders },
  eventTypes: ["OrderPlaced", "OrderChanged"],
  react: ({ event }) => ({
    aggregateId: `notes-${event.aggregateId}`,
    command: { type: "Note", source: event.aggregateId, version: event.version, amount: event.payload.amount },
  }),
});

/** A published event of the orders contract as EventBridge delivers it to a queue. */
export function publishedMessage(
  aggregateId: string,
  version: number,
  type: OrderEvents["type"],
  amount = version * 10,
  messageId = `${aggregateId}-${version}`,
): ReactorMessage {
  const payload = type === "OrderClosed" ? { orderId: aggregateId } : { orderId: aggregateId, amount };
  const detail = {
    contract: "orders",
    contractVersion: 1,
    service: "orders",
    aggregateId,
    version,
    timestamp: new Date(Date.UTC(2026, 11, 1, 12, 0, version)).toISOString(),
    type,
    payload,
  };
  return { messageId, body: JSON.stringify({ source: "orders", "detail-type": `orders.v1.${type}`, detail }) };
}

/** A reactor over in-memory stores: the reacting service's ledger, its checkpoints, a scheduler and a DLQ. */
export function reactorOn(reaction: Reaction<unknown>, shared?: ReturnType<typeof sharedParts>) {
  const parts = shared ?? sharedParts();
  const reactor = new Reactor<NoteCommand>({
    reaction: reaction as Reaction<NoteCommand>,
    commands: parts.commands,
    checkpoints: parts.checkpoints,
    scheduler: parts.scheduler,
    deadLetters: parts.deadLetters,
    now: () => parts.clock.now,
    logger: silentLogger,
  });
  return { reactor, ...parts };
}

/** What several reactor instances (Lambda instances) of one reaction share: the stores. */
export function sharedParts() {
  const events = new InMemoryEventStore();
  const loader = new AggregateLoader(notes, events);
  return {
    events,
    loader,
    // Each instance remembers nothing: instances never see each other's memory.
    commands: new CommandHandler<NoteState, NoteCommand>(loader, events, { rememberedAggregates: 0, logger: silentLogger }),
    checkpoints: new InMemoryReactionCheckpoints(),
    scheduler: new InMemoryScheduler(),
    deadLetters: new InMemoryDeadLetters(),
    clock: { now: new Date(Date.UTC(2026, 11, 1, 12, 0, 0)) },
  };
}
