import { DynamoDbReadModel } from "../../../handlers/runtime/aws/dynamoDbReadModel";
import { READ_MODEL_TABLE } from "../../../handlers/runtime/ledger/tableSchemas";
import { createTable } from "../../../local/tables";
import { bankLedger } from "../../support/ledgerFixture";
import { rawClient, uniqueTableName } from "../../support/rootHooks";
import { eventStoreContract, readModelContract, snapshotStoreContract } from "../../support/storeContracts";

describe("DynamoDB stores (DynamoDB Local)", () => {
  eventStoreContract(async () => (await bankLedger()).events);
  snapshotStoreContract(async () => (await bankLedger()).snapshots);
  readModelContract(async () => {
    const ledger = await bankLedger();
    const table = uniqueTableName("read-model");
    const client = await rawClient();
    await createTable(client, table, READ_MODEL_TABLE);
    client.destroy();
    return new DynamoDbReadModel(ledger.db, table);
  });
});
