import { accounts } from "../../../examples/accounts/domain";
import { defineContract, definePublication } from "../../../handlers/runtime";

/** What the accounts service publishes for others: no internal state, a payload of their own. */
export type AccountPublicEvents =
  | { type: "AccountOpened"; payload: { accountId: string; owner: string } }
  | { type: "BalanceChanged"; payload: { accountId: string; balance: number; change: number; at: string } };

export const accountsContract = defineContract<AccountPublicEvents>({
  service: "accounts",
  name: "accounts",
  version: 1,
  eventTypes: {
    AccountOpened: {
      type: "object",
      properties: { accountId: { type: "string", minLength: 1 }, owner: { type: "string", minLength: 1 } },
      required: ["accountId", "owner"],
      additionalProperties: false,
    },
    BalanceChanged: {
      type: "object",
      properties: {
        accountId: { type: "string", minLength: 1 },
        balance: { type: "number", minimum: 0 },
        change: { type: "number" },
        at: { type: "string", format: "date-time" },
      },
      required: ["accountId", "balance", "change", "at"],
    },
  },
});

/** The accounts domain's events as the contract's: an opening, and every credit or debit as a balance change. */
export const accountsPublication = definePublication(accountsContract, accounts, {
  AccountOpened: ({ event }) => ({ type: "AccountOpened", payload: { accountId: event.aggregateId, owner: event.payload.owner } }),
  Credited: ({ event, state }) => ({
    type: "BalanceChanged",
    payload: { accountId: event.aggregateId, balance: state.balance, change: event.payload.amount, at: event.timestamp },
  }),
  Debited: ({ event, state }) => ({
    type: "BalanceChanged",
    payload: { accountId: event.aggregateId, balance: state.balance, change: -event.payload.amount, at: event.timestamp },
  }),
});

/** The accounts publication whose Credited mapping throws while `broken()` says so (a bug later fixed). */
export const flakyPublication = (broken: () => boolean) =>
  definePublication(accountsContract, accounts, {
    AccountOpened: ({ event }) => ({ type: "AccountOpened", payload: { accountId: event.aggregateId, owner: event.payload.owner } }),
    Credited: ({ event, state }) => {
      if (broken()) throw new Error("no exchange rate");
      return {
        type: "BalanceChanged",
        payload: { accountId: event.aggregateId, balance: state.balance, change: event.payload.amount, at: event.timestamp },
      };
    },
  });

export default [accountsPublication];

/** A publication of another service's contract, which a dispatcher publishing as "accounts" refuses. */
export const foreignPublication = definePublication({ ...accountsContract, service: "payments" }, accounts, {
  AccountOpened: ({ event }) => ({ type: "AccountOpened", payload: { accountId: event.aggregateId, owner: event.payload.owner } }),
});
