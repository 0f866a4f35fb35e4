import { defineDomain, definePublication, defineProjection, payloadCheck, reactionsOf } from "../../handlers/runtime";
import { ordersContract } from "./contracts/orders";
import { shippingContract } from "./contracts/shipping";

/** The shipping service: one shipment per paid order (its id is the order's), dispatched once. */
export interface ShipmentState {
  dispatched: boolean;
  trackingId?: string;
}

export type ShipmentEvent = { type: "ShipmentDispatched"; payload: { trackingId: string } };
export type ShipmentCommand = { type: "Ship" };

export const shipping = defineDomain<ShipmentState, ShipmentCommand, ShipmentEvent>({
  name: "Shipment",
  schemaVersion: 1,
  initialState: () => ({ dispatched: false }),
  eventTypes: {
    ShipmentDispatched: payloadCheck({
      type: "object",
      properties: { trackingId: { type: "string", minLength: 1 } },
      required: ["trackingId"],
    }),
  },
  reduce: (_state, event) => ({ dispatched: true, trackingId: event.payload.trackingId }),
  // The tracking id derives from the shipment's own id: deciding again gives the same one.
  decide: (state, _command, aggregate) =>
    state.dispatched ? [] : [{ type: "ShipmentDispatched", payload: { trackingId: `track-${aggregate.aggregateId}` } }],
});

export const shippingPublication = definePublication(shippingContract, shipping, {
  ShipmentDispatched: ({ event }) => ({
    type: "ShipmentDispatched",
    payload: { orderId: event.aggregateId, trackingId: event.payload.trackingId },
  }),
});

/** A paid order is shipped. */
export const shipPaidOrders = reactionsOf(shipping).define({
  name: "ship-paid-orders",
  source: { contract: ordersContract },
  eventTypes: ["OrderPaid"],
  react: ({ event }) => ({ aggregateId: event.aggregateId, command: { type: "Ship" } }),
});

/** Read model "shipments": each dispatched shipment's tracking id. */
export const shipments = defineProjection({
  domain: shipping,
  name: "shipments",
  eventTypes: ["ShipmentDispatched"],
  project: ({ state }) => ({ dispatched: state.dispatched, trackingId: state.trackingId ?? null }),
});
