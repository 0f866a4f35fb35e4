import { defineDomain, reject } from "../../handlers/runtime";

/** The bank example: an account with a balance that may never go below zero. */
export interface AccountState {
  opened: boolean;
  owner?: string;
  balance: number;
  lastTransaction?: { type: string; amount: number; at: string };
}

/** The events an account's ledger holds. A transfer's two sides name the other account. */
export type AccountEvent =
  | { type: "AccountOpened"; payload: { owner: string } }
  | { type: "Credited"; payload: { amount: number; transfer?: { from: string } } }
  | { type: "Debited"; payload: { amount: number; transfer?: { to: string } } };

export type AccountCommand =
  | { kind: "Open"; owner: string }
  | { kind: "Credit"; amount: number }
  | { kind: "Debit"; amount: number }
  /** Spans two accounts: run it with `executeMany([from, to], command)`; both sides commit or neither. */
  | { kind: "Transfer"; from: string; to: string; amount: number };

const positiveAmount = (payload: Record<string, unknown>): string | undefined =>
  typeof payload.amount === "number" && Number.isFinite(payload.amount) && payload.amount > 0
    ? undefined
    : `amount must be a positive number, got ${JSON.stringify(payload.amount)}`;

export const accounts = defineDomain<AccountState, AccountCommand, AccountEvent>({
  name: "Account",
  schemaVersion: 1,
  initialState: () => ({ opened: false, balance: 0 }),
  checkState: (state) =>
    typeof state !== "object" || state === null
      ? "an account state is an object"
      : typeof state.opened !== "boolean"
        ? "opened must be a boolean"
        : typeof state.balance !== "number" || !Number.isFinite(state.balance) || state.balance < 0
          ? `balance must be a finite number of at least 0, got ${JSON.stringify(state.balance)}`
          : undefined,
  eventTypes: {
    AccountOpened: (payload) => (typeof payload.owner === "string" && payload.owner !== "" ? undefined : "owner is required"),
    Credited: positiveAmount,
    Debited: positiveAmount,
  },
  reduce(state, event) {
    switch (event.type) {
      case "AccountOpened":
        return { ...state, opened: true, owner: event.payload.owner };
      case "Credited":
      case "Debited": {
        const { amount } = event.payload;
        return {
          ...state,
          balance: state.balance + (event.type === "Credited" ? amount : -amount),
          lastTransaction: { type: event.type, amount, at: event.timestamp },
        };
      }
      default:
        return state;
    }
  },
  decide(state, command) {
    switch (command.kind) {
      case "Open":
        return state.opened
          ? reject("already-open", "the account is already open")
          : [{ type: "AccountOpened", payload: { owner: command.owner } }];
      case "Credit":
        if (!state.opened) return reject("not-open", "the account is not open");
        return [{ type: "Credited", payload: { amount: command.amount } }];
      case "Debit":
        if (!state.opened) return reject("not-open", "the account is not open");
        if (state.balance < command.amount) {
          return reject("insufficient-funds", `balance ${state.balance} cannot cover a debit of ${command.amount}`);
        }
        return [{ type: "Debited", payload: { amount: command.amount } }];
      case "Transfer":
        return reject("spans-accounts", "a transfer changes two accounts: run it with executeMany([from, to], command)");
    }
  },
  decideMany(aggregates, command) {
    if (command.kind !== "Transfer") return reject("single-account", `${command.kind} changes one account: run it with execute`);
    const from = aggregates.get(command.from);
    const to = aggregates.get(command.to);
    if (!from || !to || command.from === command.to) return reject("bad-transfer", "a transfer needs two different accounts, both loaded");
    if (!from.state.opened || !to.state.opened) return reject("not-open", "both accounts must be open");
    if (from.state.balance < command.amount) {
      return reject("insufficient-funds", `balance ${from.state.balance} cannot cover a transfer of ${command.amount}`);
    }
    return {
      [command.from]: [{ type: "Debited", payload: { amount: command.amount, transfer: { to: command.to } } }],
      [command.to]: [{ type: "Credited", payload: { amount: command.amount, transfer: { from: command.from } } }],
    };
  },
});

export default accounts;
