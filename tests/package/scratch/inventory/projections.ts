import { defineProjection } from "serverless-event-ledger/runtime";
import { BinState } from "./domain";

/** Stock on hand per bin, for the pickers' screen. */
export const stock = defineProjection<BinState>({
  name: "stock",
  eventTypes: ["BinCreated", "Received", "Shipped"],
  schemaVersion: 1,
  project: (aggregate) => ({ sku: aggregate.state.sku ?? "", onHand: aggregate.state.onHand }),
});
