import * as assert from "node:assert/strict";
import * as path from "node:path";
import { existsSync } from "node:fs";
import { deciderSpec } from "../../../handlers/runtime/testing/deciderSpec";
import { assertContractCompatible } from "../../../handlers/runtime/testing/contractAssertion";
import { contractFileName } from "../../../handlers/runtime/contracts/document";
import { ordersContract } from "../../../examples/shop/contracts/orders";
import { paymentsContract } from "../../../examples/shop/contracts/payments";
import { shippingContract } from "../../../examples/shop/contracts/shipping";
import { orders } from "../../../examples/shop/orders";
import { payments } from "../../../examples/shop/payments";
import { shipping } from "../../../examples/shop/shipping";

const placed = { type: "OrderPlaced" as const, payload: { customerId: "c1", amount: 120 } };
const published = path.join(__dirname, "..", "..", "..", "examples", "shop", "contracts", "published");

describe("the shop's domains", () => {
  describe("an order, the saga of its checkout", () => {
    it("is paid once: a second payment of a paid order changes nothing", () => {
      deciderSpec(orders)
        .given([placed])
        .when({ type: "MarkPaid", paymentId: "p1" })
        .then([{ type: "OrderPaid", payload: { paymentId: "p1" } }]);
      deciderSpec(orders)
        .given([placed, { type: "OrderPaid", payload: { paymentId: "p1" } }])
        .when({ type: "MarkPaid", paymentId: "p1" })
        .then([]);
    });
    it("is cancelled when its payment is refused, and refuses a payment once cancelled", () => {
      deciderSpec(orders)
        .given([placed])
        .when({ type: "Cancel", reason: "payment-refused" })
        .then([{ type: "OrderCancelled", payload: { reason: "payment-refused" } }]);
      deciderSpec(orders)
        .given([placed, { type: "OrderCancelled", payload: { reason: "unpaid" } }])
        .when({ type: "MarkPaid", paymentId: "p1" })
        .thenRejects("not-payable");
    });
    it("is cancelled by its timeout only while unpaid", () => {
      deciderSpec(orders)
        .given([placed])
        .when({ type: "CancelIfUnpaid" })
        .then([{ type: "OrderCancelled", payload: { reason: "unpaid" } }]);
      deciderSpec(orders)
        .given([placed, { type: "OrderPaid", payload: { paymentId: "p1" } }])
        .when({ type: "CancelIfUnpaid" })
        .then([]);
    });
  });

  it("captures a small charge, refuses a larger one, holds a very large one, and voids a held one on refund", () => {
    deciderSpec(payments)
      .given([])
      .when({ type: "Charge", amount: 500 })
      .then([{ type: "PaymentCaptured", payload: { amount: 500 } }]);
    deciderSpec(payments)
      .given([])
      .when({ type: "Charge", amount: 2_000 })
      .then([{ type: "PaymentRefused", payload: { amount: 2_000, reason: "over-limit" } }]);
    deciderSpec(payments)
      .given([{ type: "PaymentHeld", payload: { amount: 9_000 } }])
      .when({ type: "Refund" })
      .then([{ type: "PaymentVoided", payload: {} }]);
  });

  it("dispatches a shipment once, with a tracking id derived from its own id", () => {
    deciderSpec(shipping)
      .given([])
      .when({ type: "Ship" })
      .then([{ type: "ShipmentDispatched", payload: { trackingId: "track-spec-aggregate" } }]);
    deciderSpec(shipping)
      .given([{ type: "ShipmentDispatched", payload: { trackingId: "track-spec-aggregate" } }])
      .when({ type: "Ship" })
      .then([]);
  });
});

describe("the shop's published contracts", () => {
  for (const contract of [ordersContract, paymentsContract, shippingContract])
    it(`keep ${contract.name} v${contract.version} compatible with the published document, which is committed`, () => {
      const file = path.join(published, contractFileName(contract));
      assert.ok(existsSync(file), `${file} is committed (run this test once to write it, then commit it)`);
      assert.equal(assertContractCompatible(contract, file), "unchanged");
    });
});
