import * as assert from "node:assert/strict";
import { accounts } from "../../../examples/accounts/domain";
import { defineProjection } from "../../../handlers/runtime/projection/projection";

describe("a projection of a domain", () => {
  it("takes its event types from the domain, and its schema version unless given", () => {
    const owners = defineProjection({
      domain: accounts,
      name: "owners",
      eventTypes: ["AccountOpened"],
      project: ({ state }) => ({ owner: state.owner ?? null }),
    });
    assert.deepEqual([owners.eventTypes, owners.schemaVersion, "domain" in owners], [["AccountOpened"], accounts.schemaVersion, false]);
  });

  it("refuses an event type the domain does not declare, when the program compiles and when it runs", () => {
    assert.throws(
      () =>
        // @ts-expect-error: "AccountOpend" is not an event type of the accounts domain
        defineProjection({
          domain: accounts,
          name: "owners",
          eventTypes: ["AccountOpend"],
          project: () => ({}),
        }),
      /projection "owners" takes "AccountOpend", which domain Account does not declare \(it declares: AccountOpened, Credited, Debited\)/,
    );
  });
});
