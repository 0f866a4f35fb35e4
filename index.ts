import { accountsService, stageConfig } from "./examples/accounts/stack";

/** The example stack (Pulumi.yaml's program): the accounts service, configured per stage. */
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
