import { defineDomain, reject } from "serverless-event-ledger/runtime";

/** A warehouse bin: stock received and shipped, never below zero. Written against the package only. */
export interface BinState {
  sku?: string;
  onHand: number;
}

export type BinEvent =
  | { type: "BinCreated"; payload: { sku: string } }
  | { type: "Received"; payload: { quantity: number } }
  | { type: "Shipped"; payload: { quantity: number; order: string } };

export type BinCommand =
  { kind: "Create"; sku: string } | { kind: "Receive"; quantity: number } | { kind: "Ship"; quantity: number; order: string };

const quantity = (payload: Record<string, unknown>) =>
  Number.isInteger(payload.quantity) && (payload.quantity as number) > 0 ? undefined : "quantity must be a positive integer";

export const bins = defineDomain<BinState, BinCommand, BinEvent>({
  name: "Bin",
  schemaVersion: 1,
  initialState: () => ({ onHand: 0 }),
  eventTypes: {
    BinCreated: (payload) => (typeof payload.sku === "string" ? undefined : "sku is required"),
    Received: quantity,
    Shipped: (payload) => quantity(payload) ?? (typeof payload.order === "string" ? undefined : "order is required"),
  },
  reduce(state, event) {
    switch (event.type) {
      case "BinCreated":
        return { ...state, sku: event.payload.sku };
      case "Received":
        return { ...state, onHand: state.onHand + event.payload.quantity };
      case "Shipped":
        return { ...state, onHand: state.onHand - event.payload.quantity };
    }
  },
  decide(state, command) {
    switch (command.kind) {
      case "Create":
        return state.sku ? reject("exists", "the bin exists") : [{ type: "BinCreated", payload: { sku: command.sku } }];
      case "Receive":
        return state.sku ? [{ type: "Received", payload: { quantity: command.quantity } }] : reject("no-bin", "create the bin first");
      case "Ship":
        return state.onHand >= command.quantity
          ? [{ type: "Shipped", payload: { quantity: command.quantity, order: command.order } }]
          : reject("short", `${state.onHand} on hand, ${command.quantity} asked`);
    }
  },
});
