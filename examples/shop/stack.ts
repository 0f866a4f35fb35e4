import * as path from "node:path";
import { AggregateDispatcher, CommandApi, EventLedger, Projector, Reactor, ServiceBus } from "../../components";

const here = __dirname;
const moduleOf = (service: string) => path.join(here, `${service}.ts`);

/** What one service of the shop is made of: its ledger, bus, dispatcher and command API. */
function service(name: string, domainExport: string, publicationExport: string) {
  const ledger = new EventLedger(`${name}-ledger`, { deletionProtection: false });
  const bus = new ServiceBus(`${name}-bus`, { serviceName: name });
  const dispatcher = new AggregateDispatcher(`${name}-dispatcher`, {
    ledger,
    bus,
    domainModule: moduleOf(name),
    domainExport,
    publicationModule: moduleOf(name),
    publicationExport,
  });
  const commands = new CommandApi(`${name}-commands`, { ledger, domainModule: moduleOf(name), domainExport });
  return { ledger, bus, dispatcher, commands };
}

/**
 * The shop: three services that work together through their published contracts. Orders are
 * placed through the orders API; payments charges each placed order; shipping ships each paid one;
 * orders follows both (paid, shipped, or cancelled when the payment is refused) and cancels an order
 * still unpaid after 15 minutes. Each service's Reactors subscribe to another's bus by rule.
 */
export function shopServices() {
  const orders = service("orders", "orders", "ordersPublication");
  const payments = service("payments", "payments", "paymentsPublication");
  const shipping = service("shipping", "shipping", "shippingPublication");
  const reactor = (owner: typeof orders, name: string, bus: ServiceBus, service: string, reactionExport: string) =>
    new Reactor(`${name}`, { bus, ledger: owner.ledger, reactionModule: moduleOf(service), reactionExport });
  const reactors = {
    chargeOrders: reactor(payments, "payments-charge-orders", orders.bus, "payments", "chargeOrders"),
    refundCancelled: reactor(payments, "payments-refund-cancelled", orders.bus, "payments", "refundCancelled"),
    shipPaidOrders: reactor(shipping, "shipping-ship-paid-orders", orders.bus, "shipping", "shipPaidOrders"),
    settlePayments: reactor(orders, "orders-settle-payments", payments.bus, "orders", "settlePayments"),
    recordShipments: reactor(orders, "orders-record-shipments", shipping.bus, "orders", "recordShipments"),
    cancelUnpaid: reactor(orders, "orders-cancel-unpaid", orders.bus, "orders", "cancelUnpaid"),
  };
  const projector = (owner: typeof orders, name: string, service: string, projectionExport: string) =>
    new Projector(`${name}`, { bus: owner.bus, ledger: owner.ledger, projectionModule: moduleOf(service), projectionExport });
  const readModels = {
    orderStatus: projector(orders, "orders-status", "orders", "orderStatus"),
    paymentStatus: projector(payments, "payments-status", "payments", "paymentStatus"),
    shipments: projector(shipping, "shipping-shipments", "shipping", "shipments"),
  };
  return { orders, payments, shipping, reactors, readModels };
}
