import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException } from "@aws-sdk/client-dynamodb";
import { LEDGER_TABLE, TableSchema } from "../handlers/runtime/ledger/tableSchemas";

/**
 * Creates a table from a shared schema on DynamoDB Local (on-demand, as the components do) and
 * returns its stream ARN. A table that exists already (the dev loop restarting on the same
 * emulator) is kept with what it holds.
 */
export async function createTable(client: DynamoDBClient, tableName: string, schema: TableSchema): Promise<string | undefined> {
  const keys = [schema.partitionKey, ...(schema.sortKey ? [schema.sortKey] : [])];
  const attributes = [...keys];
  for (const index of schema.indexes ?? [])
    for (const key of [index.partitionKey, index.sortKey]) if (!attributes.some((known) => known.name === key.name)) attributes.push(key);
  await client
    .send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: attributes.map((key) => ({ AttributeName: key.name, AttributeType: key.type })),
        KeySchema: keys.map((key, index) => ({ AttributeName: key.name, KeyType: index === 0 ? "HASH" : "RANGE" })),
        ...(schema.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: schema.stream } } : {}),
        ...(schema.indexes
          ? {
              GlobalSecondaryIndexes: schema.indexes.map((index) => ({
                IndexName: index.name,
                KeySchema: [
                  { AttributeName: index.partitionKey.name, KeyType: "HASH" },
                  { AttributeName: index.sortKey.name, KeyType: "RANGE" },
                ],
                Projection: { ProjectionType: "KEYS_ONLY" },
              })),
            }
          : {}),
      }),
    )
    .catch((error) => {
      if (!(error instanceof ResourceInUseException)) throw error;
    });
  const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
  return described.Table?.LatestStreamArn;
}

/**
 * The ledger's schema without its stream, for ledgers whose records nobody polls (the bench feeds the
 * dispatcher its records itself, and so do most tests). DynamoDB Local keeps the stream records of every
 * table it has held, deleted tables included, and every write gets slower as they pile up: on one
 * emulator, the same 1,300 events took 6 s to write into the first streamed ledger and 32 s into the
 * eighth; unstreamed, under 1 s from the fourth on. A run sharing one emulator keeps streams for what polls them.
 */
export const UNPOLLED_LEDGER_TABLE: TableSchema = { ...LEDGER_TABLE, stream: undefined };
