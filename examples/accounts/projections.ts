import { defineProjection } from "../../handlers/runtime/projection/projection";
import { AccountState } from "./domain";

/** Read model "balances": owner and balance of every account. */
export const balances = defineProjection<AccountState>({
  name: "balances",
  eventTypes: ["AccountOpened", "Credited", "Debited"],
  schemaVersion: 1,
  project: (account) => ({ owner: account.owner ?? null, balance: account.balance }),
});

/** Read model "last-transaction": the latest credit or debit of every account. */
export const lastTransaction = defineProjection<AccountState>({
  name: "last-transaction",
  eventTypes: ["Credited", "Debited"],
  schemaVersion: 1,
  project: (account) => ({ ...(account.lastTransaction ?? {}) }),
});
