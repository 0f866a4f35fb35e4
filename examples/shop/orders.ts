import {
  aggregateProjection,
  defineDomain,
  definePublication,
  defineProjection,
  payloadCheck,
  reactionsOf,
  reject,
} from "../../handlers/runtime";
import { ordersContract } from "./contracts/orders";
import { paymentsContract } from "./contracts/payments";
import { shippingContract } from "./contracts/shipping";

/**
 * The orders service. An order is also the saga of its checkout: its state is where the flow across
 * services stands (placed, paid, shipped, cancelled and why), and its history answers "what happened
 * to order 42?". It reacts to payments (paid, or cancelled when refused: the compensation), to
 * shipping (shipped), and to itself (cancelled when still unpaid 15 minutes after it was placed).
 */
export interface OrderState {
  status: "new" | "placed" | "paid" | "shipped" | "cancelled";
  customerId?: string;
  amount?: number;
  reason?: string;
}

export type OrderEvent =
  | { type: "OrderPlaced"; payload: { customerId: string; amount: number } }
  | { type: "OrderPaid"; payload: { paymentId: string } }
  | { type: "OrderShipped"; payload: { trackingId: string } }
  | { type: "OrderCancelled"; payload: { reason: string } };

export type OrderCommand =
  | { type: "PlaceOrder"; customerId: string; amount: number }
  | { type: "MarkPaid"; paymentId: string }
  | { type: "MarkShipped"; trackingId: string }
  | { type: "Cancel"; reason: string }
  | { type: "CancelIfUnpaid" };

/** Minutes an order may stay unpaid before it is cancelled. */
export const PAYMENT_TIMEOUT_MINUTES = 15;

const text = { type: "string", minLength: 1 } as const;

export const orders = defineDomain<OrderState, OrderCommand, OrderEvent>({
  name: "Order",
  schemaVersion: 1,
  initialState: () => ({ status: "new" }),
  eventTypes: {
    OrderPlaced: payloadCheck({
      type: "object",
      properties: { customerId: text, amount: { type: "number", minimum: 0 } },
      required: ["customerId", "amount"],
    }),
    OrderPaid: payloadCheck({ type: "object", properties: { paymentId: text }, required: ["paymentId"] }),
    OrderShipped: payloadCheck({ type: "object", properties: { trackingId: text }, required: ["trackingId"] }),
    OrderCancelled: payloadCheck({ type: "object", properties: { reason: text }, required: ["reason"] }),
  },
  reduce: (state, event) => {
    switch (event.type) {
      case "OrderPlaced":
        return { status: "placed", customerId: event.payload.customerId, amount: event.payload.amount };
      case "OrderPaid":
        return { ...state, status: "paid" };
      case "OrderShipped":
        return { ...state, status: "shipped" };
      case "OrderCancelled":
        return { ...state, status: "cancelled", reason: event.payload.reason };
    }
  },
  decide: (state, command) => {
    switch (command.type) {
      case "PlaceOrder":
        if (state.status !== "new") return reject("already-placed", "the order was placed already");
        return [{ type: "OrderPlaced", payload: { customerId: command.customerId, amount: command.amount } }];
      case "MarkPaid":
        if (state.status === "paid" || state.status === "shipped") return [];
        if (state.status !== "placed") return reject("not-payable", `a ${state.status} order cannot be paid`);
        return [{ type: "OrderPaid", payload: { paymentId: command.paymentId } }];
      case "MarkShipped":
        if (state.status === "shipped") return [];
        if (state.status !== "paid") return reject("not-shippable", `a ${state.status} order cannot be shipped`);
        return [{ type: "OrderShipped", payload: { trackingId: command.trackingId } }];
      case "Cancel":
        if (state.status === "cancelled") return [];
        if (state.status !== "placed") return reject("not-cancellable", `a ${state.status} order cannot be cancelled`);
        return [{ type: "OrderCancelled", payload: { reason: command.reason } }];
      case "CancelIfUnpaid":
        return state.status === "placed" ? [{ type: "OrderCancelled", payload: { reason: "unpaid" } }] : [];
    }
  },
});

/** Which order events become which public ones (the dispatcher publishes them beside the state-carried messages). */
export const ordersPublication = definePublication(ordersContract, orders, {
  OrderPlaced: ({ event }) => ({
    type: "OrderPlaced",
    payload: { orderId: event.aggregateId, customerId: event.payload.customerId, amount: event.payload.amount },
  }),
  OrderPaid: ({ event, state }) => ({ type: "OrderPaid", payload: { orderId: event.aggregateId, amount: state.amount ?? 0 } }),
  OrderCancelled: ({ event }) => ({ type: "OrderCancelled", payload: { orderId: event.aggregateId, reason: event.payload.reason } }),
});

const orderReactions = reactionsOf(orders);

/** A captured payment pays its order; a refused one cancels it (the compensation). */
export const settlePayments = orderReactions.define({
  name: "settle-payments",
  source: { contract: paymentsContract },
  eventTypes: ["PaymentCaptured", "PaymentRefused"],
  react: ({ event }) =>
    event.type === "PaymentCaptured"
      ? { aggregateId: event.payload.orderId, command: { type: "MarkPaid", paymentId: event.aggregateId } }
      : { aggregateId: event.payload.orderId, command: { type: "Cancel", reason: "payment-refused" } },
});

/** A dispatched shipment ships its order. */
export const recordShipments = orderReactions.define({
  name: "record-shipments",
  source: { contract: shippingContract },
  eventTypes: ["ShipmentDispatched"],
  react: ({ event }) => ({ aggregateId: event.payload.orderId, command: { type: "MarkShipped", trackingId: event.payload.trackingId } }),
});

/** An order still unpaid 15 minutes after it was placed is cancelled: a timeout, on the order's own events. */
export const cancelUnpaid = orderReactions.define({
  name: "cancel-unpaid",
  source: { service: "orders", domain: orders },
  eventTypes: ["OrderPlaced"],
  react: ({ event }) => ({
    aggregateId: event.aggregateId,
    command: { type: "CancelIfUnpaid" },
    at: new Date(Date.parse(event.timestamp) + PAYMENT_TIMEOUT_MINUTES * 60_000),
  }),
});

/** Read model "order-status": where each order stands. */
export const orderStatus = defineProjection({
  domain: orders,
  name: "order-status",
  eventTypes: ["OrderPlaced", "OrderPaid", "OrderShipped", "OrderCancelled"],
  project: ({ state }) => ({ status: state.status, amount: state.amount ?? null, reason: state.reason ?? null }),
});

/** Every order's whole state, checksummed: what the command API starts from. */
export const orderReplica = aggregateProjection<OrderState>("replica", orders);
