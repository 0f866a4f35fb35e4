import * as assert from "node:assert/strict";
import { AccountState } from "../../../examples/accounts/domain";
import { balances } from "../../../examples/accounts/projections";
import { documentClient } from "../../../handlers/runtime/aws/documentClient";
import { DynamoDbReadModel } from "../../../handlers/runtime/aws/dynamoDbReadModel";
import { InMemoryDeadLetters } from "../../../handlers/runtime/memory/deadLetters";
import { InMemoryReadModel } from "../../../handlers/runtime/memory/readModel";
import { defineProjection } from "../../../handlers/runtime/projection/projection";
import { Projector } from "../../../handlers/runtime/projection/projector";
import { ReadModelStore } from "../../../handlers/runtime/ledger/stores";
import { failingDynamoDb, serviceError } from "../../support/stubClient";

/** A queue message carrying an account at version 2 with this state. */
const carrying = (messageId: string, state: Partial<AccountState>) => ({
  messageId,
  body: JSON.stringify({
    schemaVersion: 1,
    event: {
      aggregateId: messageId,
      version: 2,
      type: "Credited",
      payload: { amount: 1 },
      timestamp: "2026-12-01T00:00:00Z",
      commitId: "c",
    },
    aggregate: { version: 2, state: { opened: true, owner: "o", balance: 1, ...state } },
  }),
});

describe("projector: a message whose row can never be written is dead-lettered at once with the reason, never retried", () => {
  for (const [label, projection, state, reason] of [
    ["a number past DynamoDB's range", balances, { balance: 1e200 }, /cannot be stored: row\.balance/],
    ["a number past 2^53", balances, { balance: 2 ** 53 + 2 }, /cannot be stored: row\.balance: .*2\^53/],
    [
      "a row over 400 KB",
      defineProjection<AccountState>({
        name: "fat",
        eventTypes: ["Credited"],
        schemaVersion: 1,
        project: ({ state }) => ({ owner: state.owner === "bad" ? "x".repeat(500_000) : state.owner }),
      }),
      { owner: "bad" },
      /over DynamoDB's 409600-byte item limit/,
    ],
    [
      "a projection that throws",
      defineProjection<AccountState>({
        name: "throws",
        eventTypes: ["Credited"],
        schemaVersion: 1,
        project: ({ state }) => {
          if (state.owner === "bad") throw new Error("no owner");
          return { owner: state.owner };
        },
      }),
      { owner: "bad" },
      /projection "throws" failed .*no owner/,
    ],
  ] as const) {
    it(`${label}: dead-lettered in the first delivery, the rest of the batch written`, async () => {
      const readModel = new InMemoryReadModel();
      const deadLetters = new InMemoryDeadLetters();
      const projector = new Projector({ projection: projection as never, readModel, deadLetters });
      const report = await projector.project([carrying("bad", state), carrying("good", {})]);
      assert.deepEqual(report.batchItemFailures, [], "nothing is retried");
      assert.equal(report.deadLettered, 1);
      assert.equal(deadLetters.letters.length, 1);
      assert.match(deadLetters.letters[0].reason, reason);
      assert.equal((deadLetters.letters[0].input as { messageId: string }).messageId, "bad");
      assert.equal((await readModel.get("good"))?.version, 2);
    });
  }

  it("a row DynamoDB itself refuses (ValidationException): dead-lettered with DynamoDB's message", async () => {
    const client = failingDynamoDb(
      serviceError("ValidationException", 400, "One or more parameter values were invalid: an attribute is too deeply nested", 1),
    );
    const readModel: ReadModelStore = new DynamoDbReadModel(documentClient(client), "balances");
    const deadLetters = new InMemoryDeadLetters();
    const report = await new Projector({ projection: balances, readModel, deadLetters }).project([carrying("odd", {})]);
    assert.deepEqual(report.batchItemFailures, []);
    assert.match(deadLetters.letters[0]?.reason ?? "", /DynamoDB refuses the row of "odd" at version 2: .*too deeply nested/);
  });

  it("a throttled write is retried (a batch item failure), not dead-lettered", async () => {
    const client = failingDynamoDb(serviceError("ProvisionedThroughputExceededException", 400, "slow down"));
    const deadLetters = new InMemoryDeadLetters();
    const report = await new Projector({
      projection: balances,
      readModel: new DynamoDbReadModel(documentClient(client), "balances"),
      deadLetters,
    }).project([carrying("busy", {})]);
    assert.deepEqual(report.batchItemFailures, [{ itemIdentifier: "busy" }]);
    assert.equal(deadLetters.letters.length, 0);
  });
});
