import { defineContract } from "../../../handlers/runtime";

/** What payments publishes: a payment is captured or refused for an order. */
export type PaymentsPublicEvent =
  | { type: "PaymentCaptured"; payload: { orderId: string; amount: number } }
  | { type: "PaymentRefused"; payload: { orderId: string; reason: string } }
  | { type: "PaymentRefunded"; payload: { orderId: string; amount: number } };

const text = { type: "string", minLength: 1 } as const;

export const paymentsContract = defineContract<PaymentsPublicEvent>({
  service: "payments",
  name: "payments",
  version: 1,
  eventTypes: {
    PaymentCaptured: { type: "object", properties: { orderId: text, amount: { type: "number" } }, required: ["orderId", "amount"] },
    PaymentRefused: { type: "object", properties: { orderId: text, reason: text }, required: ["orderId", "reason"] },
    PaymentRefunded: { type: "object", properties: { orderId: text, amount: { type: "number" } }, required: ["orderId", "amount"] },
  },
});
