import * as assert from "node:assert/strict";
import { AssertionError } from "node:assert";
import { accounts } from "../../../examples/accounts/domain";
import { deciderSpec } from "../../../handlers/runtime/testing/deciderSpec";

/** The test kit fails when the domain does something else than the spec says, and says what. */
describe("deciderSpec", () => {
  const spec = deciderSpec(accounts);
  const opened = { type: "AccountOpened", payload: { owner: "ada" } } as const;

  it("fails when the decided events differ", () => {
    assert.throws(
      () =>
        spec
          .given([opened])
          .when({ kind: "Credit", amount: 5 })
          .then([{ type: "Credited", payload: { amount: 6 } }]),
      AssertionError,
    );
    assert.throws(() => spec.given([opened]).when({ kind: "Credit", amount: 5 }).then([]), AssertionError);
  });

  it("fails when events were expected and the command was rejected, naming the rejection", () => {
    assert.throws(
      () =>
        spec
          .given([])
          .when({ kind: "Credit", amount: 5 })
          .then([{ type: "Credited", payload: { amount: 5 } }]),
      /rejected \(not-open\)/,
    );
  });

  it("fails when a rejection was expected and events were decided, or the code or detail differs", () => {
    assert.throws(() => spec.given([opened]).when({ kind: "Credit", amount: 5 }).thenRejects("not-open"), /decided Credited/);
    assert.throws(() => spec.given([]).when({ kind: "Credit", amount: 5 }).thenRejects("insufficient-funds"), /got "not-open"/);
    assert.throws(
      () =>
        spec
          .given([])
          .when({ kind: "Credit", amount: 5 })
          .thenRejects("not-open", /closed/),
      /has detail/,
    );
  });

  it("fails when deciding was expected to throw and did not", () => {
    assert.throws(() => spec.given([opened]).when({ kind: "Credit", amount: 5 }).thenThrows(), /expected deciding to throw/);
  });

  it("checks the given events as the ledger's readers do", () => {
    assert.throws(
      () =>
        spec
          .given([{ type: "Credited", payload: { amount: "lots" } } as never])
          .when({ kind: "Credit", amount: 1 })
          .then([]),
      /amount must be a positive number/,
    );
  });
});
