import { aggregateProjection, defineProjection } from "../../handlers/runtime";
import { AccountState, accounts } from "./domain";

/** Read model "balances": owner and balance of every account. */
export const balances = defineProjection({
  domain: accounts,
  name: "balances",
  eventTypes: ["AccountOpened", "Credited", "Debited"],
  project: ({ state }) => ({ owner: state.owner ?? null, balance: state.balance }),
});

/** Read model "last-transaction": the latest credit or debit of every account. */
export const lastTransaction = defineProjection({
  domain: accounts,
  name: "last-transaction",
  eventTypes: ["Credited", "Debited"],
  project: ({ state }) => ({ ...(state.lastTransaction ?? {}) }),
});

/**
 * Read model "replica": every account's whole state, checksummed. The CommandApi decides on it
 * (a decide-first start) and serves eventually consistent reads from it.
 */
export const replica = aggregateProjection<AccountState>("replica", accounts);
