import * as path from "node:path";
import { AggregateDispatcher, CommandApi, EventLedger, Projector, ServiceBus } from "serverless-event-ledger";

/** The inventory service in one file, from the package's public entry points only. */
export function inventoryService(name: string) {
  const ledger = new EventLedger(`${name}-ledger`, { deletionProtection: false });
  const bus = new ServiceBus(`${name}-bus`, { serviceName: name });
  const domainModule = path.join(__dirname, "inventory", "domain.ts");
  const dispatcher = new AggregateDispatcher(`${name}-dispatcher`, { ledger, bus, domainModule, domainExport: "bins" });
  const stock = new Projector(`${name}-stock`, {
    bus,
    ledger,
    projectionModule: path.join(__dirname, "inventory", "projections.ts"),
    projectionExport: "stock",
  });
  const commands = new CommandApi(`${name}-commands`, { ledger, domainModule, domainExport: "bins" });
  return { ledger, bus, dispatcher, stock, commands };
}
