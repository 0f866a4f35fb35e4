import { accountsService, stageConfig } from "./examples/accounts/stack";
import { shopServices } from "./examples/shop/stack";

/** The example stack (Pulumi.yaml's program): the accounts service, configured per stage, and the shop's three services. */
export { accountsService, stageConfig, StageConfig } from "./examples/accounts/stack";

const service = accountsService("accounts", stageConfig());

export const ledgerTableName = service.ledger.tableName;
export const ledgerStreamArn = service.ledger.streamArn;
export const busName = service.bus.busName;
export const dispatcherDeadLetterQueue = service.dispatcher.deadLetterQueueUrl;
export const balancesTable = service.balances.tableName;
export const lastTransactionTable = service.lastTransaction.tableName;
/** Call it with SigV4 (e.g. `awscurl --service lambda`): POST /aggregates/{id}/commands, GET /aggregates/{id}. */
export const commandApiUrl = service.commands.url;

const shop = shopServices();

/** The shop: orders are placed through the orders API; payments and shipping react through their contracts. */
export const ordersApiUrl = shop.orders.commands.url;
export const orderStatusTable = shop.readModels.orderStatus.tableName;
export const shopDeadLetterQueues = Object.fromEntries(
  Object.entries(shop.reactors).map(([name, reactor]) => [name, reactor.deadLetterQueue.url]),
);
