import { defineContract } from "../../../handlers/runtime";

const text = { type: "string", minLength: 1 } as const;

/** What orders publishes for other services: its own payloads, versioned apart from the order's state. */
export type OrdersPublicEvent =
  | { type: "OrderPlaced"; payload: { orderId: string; customerId: string; amount: number } }
  | { type: "OrderPaid"; payload: { orderId: string; amount: number } }
  | { type: "OrderCancelled"; payload: { orderId: string; reason: string } };

export const ordersContract = defineContract<OrdersPublicEvent>({
  service: "orders",
  name: "orders",
  version: 1,
  eventTypes: {
    OrderPlaced: {
      type: "object",
      properties: { orderId: text, customerId: text, amount: { type: "number", minimum: 0 } },
      required: ["orderId", "customerId", "amount"],
    },
    OrderPaid: { type: "object", properties: { orderId: text, amount: { type: "number" } }, required: ["orderId", "amount"] },
    OrderCancelled: { type: "object", properties: { orderId: text, reason: text }, required: ["orderId", "reason"] },
  },
});
