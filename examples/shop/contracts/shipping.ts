import { defineContract } from "../../../handlers/runtime";

/** What shipping publishes: a shipment left the warehouse. */
export type ShippingPublicEvent = { type: "ShipmentDispatched"; payload: { orderId: string; trackingId: string } };

const text = { type: "string", minLength: 1 } as const;

export const shippingContract = defineContract<ShippingPublicEvent>({
  service: "shipping",
  name: "shipping",
  version: 1,
  eventTypes: {
    ShipmentDispatched: { type: "object", properties: { orderId: text, trackingId: text }, required: ["orderId", "trackingId"] },
  },
});
