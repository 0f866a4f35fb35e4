import * as assert from "node:assert/strict";
import * as path from "node:path";
import { EventLedger, Projector, ServiceBus } from "../../components";
import { recordedComponents } from "../../components/registry";
import { compose } from "../../local/pulumiMocks";

const projectionModule = path.join(__dirname, "..", "..", "examples", "accounts", "projections.ts");

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
});
