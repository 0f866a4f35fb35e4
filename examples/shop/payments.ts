import { defineDomain, definePublication, defineProjection, payloadCheck, reactionsOf } from "../../handlers/runtime";
import { ordersContract } from "./contracts/orders";
import { paymentsContract } from "./contracts/payments";

/**
 * The payments service: one payment per order (its id is the order's). It reacts to orders' public
 * events only: a placed order is charged, a cancelled one refunded if it was captured. A charge up to
 * 1,000 is captured, up to 5,000 refused, above that held for a review that never comes here (the
 * order's own timeout then cancels it).
 */
export interface PaymentState {
  status: "none" | "captured" | "refused" | "held" | "refunded" | "voided";
  amount: number;
}

export type PaymentEvent =
  | { type: "PaymentCaptured"; payload: { amount: number } }
  | { type: "PaymentRefused"; payload: { amount: number; reason: string } }
  | { type: "PaymentHeld"; payload: { amount: number } }
  | { type: "PaymentRefunded"; payload: { amount: number } }
  | { type: "PaymentVoided"; payload: Record<string, never> };

export type PaymentCommand = { type: "Charge"; amount: number } | { type: "Refund" };

/** The largest charge captured at once, and the largest refused outright (above it: held). */
export const CAPTURE_LIMIT = 1_000;
export const REVIEW_LIMIT = 5_000;

const amount = { type: "object", properties: { amount: { type: "number", minimum: 0 } }, required: ["amount"] } as const;

export const payments = defineDomain<PaymentState, PaymentCommand, PaymentEvent>({
  name: "Payment",
  schemaVersion: 1,
  initialState: () => ({ status: "none", amount: 0 }),
  eventTypes: {
    PaymentCaptured: payloadCheck(amount),
    PaymentRefused: payloadCheck({
      ...amount,
      properties: { ...amount.properties, reason: { type: "string" } },
      required: ["amount", "reason"],
    }),
    PaymentHeld: payloadCheck(amount),
    PaymentRefunded: payloadCheck(amount),
    PaymentVoided: payloadCheck({ type: "object" }),
  },
  reduce: (state, event) => {
    switch (event.type) {
      case "PaymentCaptured":
        return { status: "captured", amount: event.payload.amount };
      case "PaymentRefused":
        return { status: "refused", amount: event.payload.amount };
      case "PaymentHeld":
        return { status: "held", amount: event.payload.amount };
      case "PaymentRefunded":
        return { ...state, status: "refunded" };
      case "PaymentVoided":
        return { ...state, status: "voided" };
    }
  },
  decide: (state, command) => {
    if (command.type === "Charge") {
      if (state.status !== "none") return [];
      if (command.amount <= CAPTURE_LIMIT) return [{ type: "PaymentCaptured", payload: { amount: command.amount } }];
      if (command.amount <= REVIEW_LIMIT) return [{ type: "PaymentRefused", payload: { amount: command.amount, reason: "over-limit" } }];
      return [{ type: "PaymentHeld", payload: { amount: command.amount } }];
    }
    if (state.status === "captured") return [{ type: "PaymentRefunded", payload: { amount: state.amount } }];
    if (state.status === "held") return [{ type: "PaymentVoided", payload: {} }];
    return [];
  },
});

export const paymentsPublication = definePublication(paymentsContract, payments, {
  PaymentCaptured: ({ event }) => ({ type: "PaymentCaptured", payload: { orderId: event.aggregateId, amount: event.payload.amount } }),
  PaymentRefused: ({ event }) => ({ type: "PaymentRefused", payload: { orderId: event.aggregateId, reason: event.payload.reason } }),
  PaymentRefunded: ({ event }) => ({ type: "PaymentRefunded", payload: { orderId: event.aggregateId, amount: event.payload.amount } }),
});

const paymentReactions = reactionsOf(payments);

/** A placed order is charged: the payment's id is the order's. */
export const chargeOrders = paymentReactions.define({
  name: "charge-orders",
  source: { contract: ordersContract },
  eventTypes: ["OrderPlaced"],
  react: ({ event }) => ({ aggregateId: event.aggregateId, command: { type: "Charge", amount: event.payload.amount } }),
});

/** A cancelled order's payment is refunded if it was captured, voided if it was held. */
export const refundCancelled = paymentReactions.define({
  name: "refund-cancelled",
  source: { contract: ordersContract },
  eventTypes: ["OrderCancelled"],
  react: ({ event }) => ({ aggregateId: event.aggregateId, command: { type: "Refund" } }),
});

/** Read model "payment-status": each order's payment. */
export const paymentStatus = defineProjection({
  domain: payments,
  name: "payment-status",
  eventTypes: ["PaymentCaptured", "PaymentRefused", "PaymentHeld", "PaymentRefunded", "PaymentVoided"],
  project: ({ state }) => ({ status: state.status, amount: state.amount }),
});
