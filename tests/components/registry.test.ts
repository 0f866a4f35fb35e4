import * as assert from "node:assert/strict";
import * as path from "node:path";
import { AggregateDispatcher, CommandApi, EventLedger, Projector, Reactor, ServiceBus } from "../../components";
import { recordedComponents } from "../../components/registry";
import { compose } from "../../local/pulumiMocks";

const projectionModule = path.join(__dirname, "..", "..", "examples", "accounts", "projections.ts");
const domainModule = path.join(__dirname, "..", "..", "examples", "accounts", "domain.ts");
const shop = (service: string) => path.join(__dirname, "..", "..", "examples", "shop", `${service}.ts`);

/** Two services, each a ledger with a dispatcher to its bus (the dispatchers made by `dispatch`, when the test says). */
function twoServices() {
  const accounts = { ledger: new EventLedger("accounts-ledger"), bus: new ServiceBus("accounts-bus", { serviceName: "accounts" }) };
  const orders = { ledger: new EventLedger("orders-ledger"), bus: new ServiceBus("orders-bus", { serviceName: "orders" }) };
  const dispatch = () => {
    new AggregateDispatcher("accounts-dispatcher", { ...accounts, domainModule, domainExport: "accounts" });
    new AggregateDispatcher("orders-dispatcher", { ...orders, domainModule, domainExport: "accounts" });
  };
  return { accounts, orders, dispatch };
}

describe("a program's components", () => {
  it("refuses a second service of the same name in one program, naming both buses", async () => {
    await assert.rejects(
      compose(() => {
        new ServiceBus("orders-bus", { serviceName: "orders" });
        new ServiceBus("orders-bus-v2", { serviceName: "orders" });
      }),
      /ServiceBus "orders-bus-v2": service name "orders" is taken by ServiceBus "orders-bus" in this program/,
    );
  });

  it("are recorded per program run, so one test's program never sees another's", async () => {
    await compose(() => new ServiceBus("orders-bus", { serviceName: "orders" }));
    const { result } = await compose(() => {
      const ledger = new EventLedger("svc-ledger", {});
      const bus = new ServiceBus("svc-bus", { serviceName: "orders" });
      new Projector("svc-balances", { bus, ledger, projectionModule, projectionExport: "balances" });
      return recordedComponents();
    });
    assert.deepEqual(
      result.map((entry) => `${entry.kind} ${entry.name}`),
      ["EventLedger svc-ledger", "ServiceBus svc-bus", "Projector svc-balances"],
    );
    const projector = result[2] as Extract<(typeof result)[number], { kind: "Projector" }>;
    assert.equal(projector.projection.exportName, "balances");
    assert.equal((projector.bus as { component: object }).component, result[1].kind === "ServiceBus" ? result[1].component : undefined);
  });

  const refusal =
    /Projector "orders-balances": its ledger is the one AggregateDispatcher "accounts-dispatcher" publishes as service "accounts", but its bus carries service "orders"'s events, so its claim checks would be looked up in another service's snapshot table; give it the ledger whose dispatcher publishes to its bus/;

  it("refuse a projector given the ledger of another service than its bus's, when the dispatcher is created first", async () => {
    await assert.rejects(
      compose(() => {
        const { accounts, orders, dispatch } = twoServices();
        dispatch();
        new Projector("orders-balances", { bus: orders.bus, ledger: accounts.ledger, projectionModule, projectionExport: "balances" });
      }),
      refusal,
    );
  });

  it("refuse the same pairing when the projector is created before the dispatchers", async () => {
    await assert.rejects(
      compose(() => {
        const { accounts, orders, dispatch } = twoServices();
        new Projector("orders-balances", { bus: orders.bus, ledger: accounts.ledger, projectionModule, projectionExport: "balances" });
        dispatch();
      }),
      refusal,
    );
  });

  it("take a projector given its own service's ledger, whichever is created first", async () => {
    await compose(() => {
      const { accounts, orders, dispatch } = twoServices();
      new Projector("orders-balances", { bus: orders.bus, ledger: orders.ledger, projectionModule, projectionExport: "balances" });
      dispatch();
      new Projector("accounts-balances", { bus: accounts.bus, ledger: accounts.ledger, projectionModule, projectionExport: "balances" });
    });
  });

  it("refuse a command API whose replica projects another service's bus than its ledger's, whichever is created first", async () => {
    for (const dispatchFirst of [true, false])
      await assert.rejects(
        compose(() => {
          const { accounts, orders, dispatch } = twoServices();
          if (dispatchFirst) dispatch();
          const replica = new Projector("orders-replica", { bus: orders.bus, projectionModule, projectionExport: "replica" });
          new CommandApi("accounts-commands", { ledger: accounts.ledger, domainModule, domainExport: "accounts", replica });
          if (!dispatchFirst) dispatch();
        }),
        /CommandApi "accounts-commands": its ledger is the one AggregateDispatcher "accounts-dispatcher" publishes as service "accounts", but the bus of its replica, Projector "orders-replica", carries service "orders"'s events, so its commands would start from the states of another service's aggregates/,
      );
  });

  it("refuse a projector given another ledger than the one whose dispatcher publishes to its bus, when its own ledger has none in the program", async () => {
    await assert.rejects(
      compose(() => {
        const { accounts, orders } = twoServices();
        new AggregateDispatcher("orders-dispatcher", { ...orders, domainModule, domainExport: "accounts" });
        new Projector("orders-balances", { bus: orders.bus, ledger: accounts.ledger, projectionModule, projectionExport: "balances" });
      }),
      /Projector "orders-balances": its bus carries the events AggregateDispatcher "orders-dispatcher" publishes from another ledger than its own, so its claim checks would be looked up in another service's snapshot table/,
    );
  });

  it("take a ledger with a dispatcher to each of two services, and a projector of either bus given that ledger", async () => {
    await compose(() => {
      const ledger = new EventLedger("shared-ledger");
      const first = new ServiceBus("first-bus", { serviceName: "first" });
      const second = new ServiceBus("second-bus", { serviceName: "second" });
      new AggregateDispatcher("first-dispatcher", { ledger, bus: first, domainModule, domainExport: "accounts" });
      new Projector("first-balances", { bus: first, ledger, projectionModule, projectionExport: "balances" });
      new AggregateDispatcher("second-dispatcher", { ledger, bus: second, domainModule, domainExport: "accounts" });
      new Projector("second-balances", { bus: second, ledger, projectionModule, projectionExport: "balances" });
    });
  });

  it("refuse a command API whose replica resolves claim checks from another ledger than the command API's", async () => {
    await assert.rejects(
      compose(() => {
        const { accounts, orders } = twoServices();
        const replica = new Projector("orders-replica", {
          bus: orders.bus,
          ledger: orders.ledger,
          projectionModule,
          projectionExport: "replica",
        });
        new CommandApi("accounts-commands", { ledger: accounts.ledger, domainModule, domainExport: "accounts", replica });
      }),
      /CommandApi "accounts-commands": its replica, Projector "orders-replica", resolves claim checks from another ledger than the CommandApi's/,
    );
  });

  it("refuse a reactor whose reaction's commands are for another domain than its ledger's, whichever is created first", async () => {
    for (const reactorFirst of [false, true])
      await assert.rejects(
        compose(() => {
          const orders = { ledger: new EventLedger("orders-ledger"), bus: new ServiceBus("orders-bus", { serviceName: "orders" }) };
          const dispatch = () =>
            new AggregateDispatcher("orders-dispatcher", { ...orders, domainModule: shop("orders"), domainExport: "orders" });
          if (!reactorFirst) dispatch();
          // chargeOrders sends payments' commands: its ledger must be payments'.
          new Reactor("payments-charge-orders", {
            bus: orders.bus,
            ledger: orders.ledger,
            reactionModule: shop("payments"),
            reactionExport: "chargeOrders",
          });
          if (reactorFirst) dispatch();
        }),
        reactorFirst
          ? /AggregateDispatcher "orders-dispatcher": it folds domain "Order", but its ledger holds domain "Payment"'s events \(Reactor "payments-charge-orders" sends commands of "Payment"\); a ledger holds one domain's events/
          : /Reactor "payments-charge-orders": it sends commands of domain "Payment", but its ledger holds domain "Order"'s events \(AggregateDispatcher "orders-dispatcher" folds "Order"\); a ledger holds one domain's events, so give it the ledger of "Payment"/,
      );
  });

  it("refuse a command API deciding with another domain than its ledger's dispatcher folds", async () => {
    await assert.rejects(
      compose(() => {
        const ledger = new EventLedger("orders-ledger");
        new AggregateDispatcher("orders-dispatcher", {
          ledger,
          bus: new ServiceBus("orders-bus", { serviceName: "orders" }),
          domainModule: shop("orders"),
          domainExport: "orders",
        });
        new CommandApi("orders-commands", { ledger, domainModule: shop("payments"), domainExport: "payments" });
      }),
      /CommandApi "orders-commands": it decides with domain "Payment", but its ledger holds domain "Order"'s events/,
    );
  });
});
