import * as assert from "node:assert/strict";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DaxDocument } from "@amazon-dax-sdk/lib-dax";
import { accounts } from "../../../examples/accounts/domain";
import { createDaxCommandApiHandler } from "../../../handlers/commandApiDaxHandler";
import { ENV } from "../../../handlers/runtime/ledger/conventions";
import { stubDynamoDb } from "../../support/stubClient";

/**
 * A DaxDocument whose document methods and `send` are DAX's own (`send` refuses every command, as
 * DAX does) and whose wire-level GetItem answers from `row` and records its input: no cluster.
 */
function daxDocumentAnswering(row: () => Record<string, unknown> | undefined) {
  const calls: { name: string; input: any }[] = [];
  const dax = Object.create(DaxDocument.prototype) as DaxDocument & { getItem: (input: unknown) => Promise<unknown> };
  dax.getItem = async (input: any) => {
    calls.push({ name: "GetItem", input });
    const item = row();
    return item ? { Item: item } : {};
  };
  return { dax, calls };
}

/**
 * With DAX, which client each call goes to: replica rows through DAX, the ledger's consistent
 * reads and every write to DynamoDB. No DAX emulator exists: DynamoDB is stubbed at client level,
 * DAX below its document methods.
 */
describe("CommandApi handler with DAX: the client each call goes to", () => {
  const saved = { ...process.env };
  before(() =>
    Object.assign(process.env, {
      [ENV.ledgerTable]: "ledger",
      [ENV.idempotencyTable]: "keys",
      [ENV.replicaTable]: "replica",
      [ENV.daxEndpoint]: "daxs://cluster.local",
    }),
  );
  after(() => (process.env = saved));

  it("reads replica rows through DAX and sends ledger queries and writes to DynamoDB", async () => {
    const dynamodb = new DynamoDBClient({ region: "us-east-1" });
    const ledgerCalls = stubDynamoDb(dynamodb, (operation) => (operation === "QueryCommand" ? { Items: [] } : {}));
    const { dax, calls: daxCalls } = daxDocumentAnswering(() => undefined);
    const handler = createDaxCommandApiHandler(accounts, { dynamodb }, dax);

    const opened = await handler({
      rawPath: "/aggregates/acc-1/commands",
      body: JSON.stringify({ kind: "Open", owner: "ada" }),
      requestContext: { http: { method: "POST" } },
    });
    assert.equal(opened.statusCode, 200, opened.body);
    assert.deepEqual(
      daxCalls.map((call) => [call.name, call.input.TableName]),
      [["GetItem", "replica"]],
    );
    assert.notEqual(
      daxCalls[0].input.ConsistentRead,
      true,
      "DAX answers only eventually consistent reads from its cache; a consistent one would pass through",
    );
    assert.deepEqual(
      ledgerCalls.map((call) => [call.name, call.input.TableName]),
      [
        ["QueryCommand", "ledger"],
        ["PutItemCommand", "ledger"],
      ],
    );
    assert.equal(ledgerCalls[0].input.ConsistentRead, true, "the ledger is read consistently, never through the cache");

    const eventual = await handler({
      rawPath: "/aggregates/acc-1",
      queryStringParameters: { consistency: "eventual" },
      requestContext: { http: { method: "GET" } },
    });
    assert.equal(eventual.statusCode, 404, "no replica row yet");
    assert.equal(daxCalls.length, 2, "an eventual read is a DAX read");
    assert.equal(ledgerCalls.length, 2, "and nothing else");
  });
});
