import * as assert from "node:assert/strict";
import { accounts } from "../../../examples/accounts/domain";
import { defineContract, definePublication } from "../../../handlers/runtime";
import { AccountPublicEvents, accountsContract } from "./fixtures";

// `npx tsc --noEmit` checks this file: each `@ts-expect-error` below must stay an error, or tsc fails.

describe("publication typing (checked by tsc)", () => {
  it("refuses a misspelt public type, a wrong payload, an unknown internal event type; keys of defineContract against its events", () => {
    const misspeltType = () =>
      definePublication(accountsContract, accounts, {
        // @ts-expect-error "AcountOpened" is not a public event type of the contract
        AccountOpened: ({ event }) => ({ type: "AcountOpened", payload: { accountId: event.aggregateId, owner: event.payload.owner } }),
      });
    const wrongPayload = () =>
      definePublication(accountsContract, accounts, {
        // @ts-expect-error owner must be a string
        AccountOpened: ({ event }) => ({ type: "AccountOpened", payload: { accountId: event.aggregateId, owner: 42 } }),
      });
    const unknownInternal = () =>
      definePublication(accountsContract, accounts, {
        // @ts-expect-error "Refunded" is not an event type of the accounts domain
        Refunded: () => undefined,
      });
    const internalPayload = () =>
      definePublication(accountsContract, accounts, {
        // @ts-expect-error Credited's payload has no owner: each mapping sees its own event's payload
        Credited: ({ event }) => ({ type: "AccountOpened", payload: { accountId: event.aggregateId, owner: event.payload.owner } }),
      });
    const missingEventType = () =>
      // @ts-expect-error BalanceChanged has no schema
      defineContract<AccountPublicEvents>({ service: "accounts", name: "accounts", version: 1, eventTypes: { AccountOpened: {} } });
    const extraEventType = () =>
      defineContract<AccountPublicEvents>({
        service: "accounts",
        name: "accounts",
        version: 1,
        // @ts-expect-error "AccountClosed" is not one of the named public events
        eventTypes: { AccountOpened: {}, BalanceChanged: {}, AccountClosed: {} },
      });
    // The wrong ones are refused at run time too: the mapping is checked against the domain, the contract against its events.
    assert.throws(unknownInternal, /maps "Refunded", which domain Account has no event type of/);
    for (const typed of [misspeltType, wrongPayload, internalPayload, missingEventType, extraEventType])
      assert.equal(typeof typed, "function");
  });
});
