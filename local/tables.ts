import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { TableSchema } from "../handlers/runtime/tableSchemas";

/** Creates a table from a shared schema on DynamoDB Local (on-demand, as the components do) and returns its stream ARN. */
export async function createTable(client: DynamoDBClient, tableName: string, schema: TableSchema): Promise<string | undefined> {
  const keys = [schema.partitionKey, ...(schema.sortKey ? [schema.sortKey] : [])];
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: keys.map((key) => ({ AttributeName: key.name, AttributeType: key.type })),
      KeySchema: keys.map((key, index) => ({ AttributeName: key.name, KeyType: index === 0 ? "HASH" : "RANGE" })),
      ...(schema.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: schema.stream } } : {}),
    }),
  );
  const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
  return described.Table?.LatestStreamArn;
}
