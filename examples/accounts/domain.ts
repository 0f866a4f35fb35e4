import { defineDomain, reject } from "../../handlers/runtime/domain";

/** The bank example: an account with a balance that may never go below zero. */
export interface AccountState {
  opened: boolean;
  owner?: string;
  balance: number;
  lastTransaction?: { type: string; amount: number; at: string };
}

export type AccountCommand =
  | { kind: "Open"; owner: string }
  | { kind: "Credit"; amount: number }
  | { kind: "Debit"; amount: number };

const positiveAmount = (payload: Record<string, unknown>): string | undefined =>
  typeof payload.amount === "number" && Number.isFinite(payload.amount) && payload.amount > 0
    ? undefined
    : `amount must be a positive number, got ${JSON.stringify(payload.amount)}`;

export const accounts = defineDomain<AccountState, AccountCommand>({
  name: "Account",
  schemaVersion: 1,
  initialState: () => ({ opened: false, balance: 0 }),
  eventTypes: {
    AccountOpened: (payload) => (typeof payload.owner === "string" && payload.owner !== "" ? undefined : "owner is required"),
    Credited: positiveAmount,
    Debited: positiveAmount,
  },
  reduce(state, event) {
    switch (event.type) {
      case "AccountOpened":
        return { ...state, opened: true, owner: event.payload.owner as string };
      case "Credited":
      case "Debited": {
        const amount = event.payload.amount as number;
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
        return state.opened ? reject("already-open", "the account is already open") : [{ type: "AccountOpened", payload: { owner: command.owner } }];
      case "Credit":
        if (!state.opened) return reject("not-open", "the account is not open");
        return [{ type: "Credited", payload: { amount: command.amount } }];
      case "Debit":
        if (!state.opened) return reject("not-open", "the account is not open");
        if (state.balance < command.amount) {
          return reject("insufficient-funds", `balance ${state.balance} cannot cover a debit of ${command.amount}`);
        }
        return [{ type: "Debited", payload: { amount: command.amount } }];
    }
  },
});

export default accounts;
