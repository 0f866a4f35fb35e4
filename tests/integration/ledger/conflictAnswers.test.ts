import * as assert from "node:assert/strict";
import { VersionConflictError } from "../../../handlers/runtime/ledger/errors";
import { accountEvents, bankLedger } from "../../support/ledgerFixture";

describe("a version conflict carries the event the ledger holds at that version (DynamoDB Local)", () => {
  it("returns the winner's item with a refused PutItem and with a refused transaction, read in the same request", async () => {
    const ledger = await bankLedger();
    const [opened, credited] = accountEvents("held", 1, 2);
    const winner = await ledger.events.append([opened]);
    for (const [label, loser] of [
      ["PutItem", [opened]],
      ["TransactWriteItems", [opened, credited]],
    ] as const) {
      ledger.requests.reset();
      const error = await ledger.events.append(loser).then(
        () => assert.fail(`${label}: the loser's append succeeded`),
        (refusal: unknown) => refusal,
      );
      assert.ok(error instanceof VersionConflictError, `${label}: ${String(error)}`);
      assert.equal(error.version, 1);
      assert.deepEqual([error.held?.aggregateId, error.held?.version, error.held?.commitId], ["held", 1, winner.commitId], label);
      assert.deepEqual([...ledger.requests.byOperation.keys()], [label], "no read after the refusal");
    }
  });
});
