import { aggregateProjection, defineProjection } from "../../handlers/runtime";
import { AccountState, accounts } from "./domain";

/** Read model "balances": owner and balance of every account. */
export const balances = defineProjection<AccountState>({
  name: "balances",
  eventTypes: ["AccountOpened", "Credited", "Debited"],
  schemaVersion: 1,
  project: ({ state }) => ({ owner: state.owner ?? null, balance: state.balance }),
});

/** Read model "last-transaction": the latest credit or debit of every account. */
export const lastTransaction = defineProjection<AccountState>({
  name: "last-transaction",
  eventTypes: ["Credited", "Debited"],
  schemaVersion: 1,
  project: ({ state }) => ({ ...(state.lastTransaction ?? {}) }),
});

/**
 * Read model "replica": every account's whole state, checksummed. The CommandApi decides on it
 * (a decide-first start) and serves eventually consistent reads from it.
 */
export const replica = aggregateProjection<AccountState>("replica", accounts);
