import { accounts } from "../../../examples/accounts/domain";
import { deciderSpec } from "../../../handlers/runtime/testing/deciderSpec";

/** The example domain's rules, as given/when/then specifications of its decide function. */
describe("accounts: decider specs", () => {
  const spec = deciderSpec(accounts);
  const opened = { type: "AccountOpened", payload: { owner: "ada" } } as const;

  it("opens an account once", () => {
    spec.given([]).when({ kind: "Open", owner: "ada" }).then([opened]);
    spec.given([opened]).when({ kind: "Open", owner: "bob" }).thenRejects("already-open");
  });

  it("credits an open account and refuses one that is not open", () => {
    spec
      .given([opened])
      .when({ kind: "Credit", amount: 30 })
      .then([{ type: "Credited", payload: { amount: 30 } }]);
    spec.given([]).when({ kind: "Credit", amount: 30 }).thenRejects("not-open");
  });

  it("debits up to the balance and never below zero", () => {
    const funded = [opened, { type: "Credited", payload: { amount: 50 } }] as const;
    spec
      .given(funded)
      .when({ kind: "Debit", amount: 50 })
      .then([{ type: "Debited", payload: { amount: 50 } }]);
    spec.given(funded).when({ kind: "Debit", amount: 51 }).thenRejects("insufficient-funds", "balance 50 cannot cover a debit of 51");
  });

  it("counts debits already taken", () => {
    spec
      .given([opened, { type: "Credited", payload: { amount: 50 } }, { type: "Debited", payload: { amount: 40 } }])
      .when({ kind: "Debit", amount: 20 })
      .thenRejects("insufficient-funds", /balance 10/);
  });

  it("sends a transfer to executeMany, which spans two accounts", () => {
    spec.given([opened]).when({ kind: "Transfer", from: "a", to: "b", amount: 1 }).thenRejects("spans-accounts");
  });

  it("refuses a payload its own event check refuses, before anything could be written", () => {
    spec
      .given([opened])
      .when({ kind: "Credit", amount: -5 })
      .thenThrows(/amount must be a positive number/);
  });
});
