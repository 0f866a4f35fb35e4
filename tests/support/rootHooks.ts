import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDbLocal } from "../../local/dynamodbLocal";
import { requirePrerequisites } from "../../local/prerequisites";

/**
 * One DynamoDB Local for the whole run, started lazily by the first suite that needs it
 * and stopped when mocha ends. Suites isolate themselves with their own table names.
 */
let instance: Promise<DynamoDbLocal> | undefined;

export function dynamoDbLocal(): Promise<DynamoDbLocal> {
  instance ??= DynamoDbLocal.start();
  return instance;
}

export async function rawClient(): Promise<DynamoDBClient> {
  return new DynamoDBClient((await dynamoDbLocal()).config);
}

let tableCounter = 0;
/** A table name no other test uses. */
export const uniqueTableName = (role: string): string => `${role}-${process.pid}-${++tableCounter}`;

process.env.LOG_LEVEL ??= "silent";
// The functions' EMF metric lines are for CloudWatch; here they would only bury the output.
process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
// Before any suite: Java for DynamoDB Local, Node's version; a clear message and exit 2 otherwise.
requirePrerequisites();

export const mochaHooks = {
  async afterAll(): Promise<void> {
    if (instance) await (await instance).stop();
  },
};
