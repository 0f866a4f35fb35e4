import { DescribeTableCommand, DynamoDBClient, TableDescription } from "@aws-sdk/client-dynamodb";
import { Resource, onResource } from "./errors";

/** The caller's credentials may not make this call (DynamoDB, Lambda and the others name it so). */
export const isAccessDenied = (error: unknown) => /AccessDenied/.test(String((error as { name?: string })?.name));

/**
 * Checks that every table a run uses exists before it reads or writes any, so a mistyped name fails
 * at once naming its flag (a transaction's error does not say which of its tables is missing), not
 * after a run recorded every aggregate as failed. Credentials allowed to use a table but not to
 * describe it skip the check: the run's own calls then fail as they would. Returns each table's
 * description, in order (undefined where describing it was denied).
 */
export async function requireTables(dynamodb: DynamoDBClient, tables: readonly Resource[]): Promise<(TableDescription | undefined)[]> {
  const described: (TableDescription | undefined)[] = [];
  for (const table of tables) {
    described.push(
      await onResource(table, async () => {
        try {
          return (await dynamodb.send(new DescribeTableCommand({ TableName: table.name }))).Table ?? {};
        } catch (error) {
          if (!isAccessDenied(error)) throw error;
          return undefined;
        }
      }),
    );
  }
  return described;
}

/** A table named by a flag, as a resource of messages. */
export const table = (flag: string, name: string): Resource => ({ kind: "table", name, flag });
