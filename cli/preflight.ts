import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Resource, onResource } from "./errors";

const isAccessDenied = (error: unknown) => /AccessDenied/.test(String((error as { name?: string })?.name));

/**
 * Checks that every table a run uses exists before it reads or writes any, so a mistyped name fails
 * at once naming its flag (a transaction's error does not say which of its tables is missing), not
 * after a run recorded every aggregate as failed. Credentials allowed to use a table but not to
 * describe it skip the check: the run's own calls then fail as they would.
 */
export async function requireTables(dynamodb: DynamoDBClient, tables: readonly Resource[]): Promise<void> {
  for (const table of tables) {
    await onResource(table, async () => {
      try {
        await dynamodb.send(new DescribeTableCommand({ TableName: table.name }));
      } catch (error) {
        if (!isAccessDenied(error)) throw error;
      }
    });
  }
}

/** A table named by a flag, as a resource of messages. */
export const table = (flag: string, name: string): Resource => ({ kind: "table", name, flag });
