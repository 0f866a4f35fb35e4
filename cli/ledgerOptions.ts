import { text } from "./args";

/** The options naming a ledger and its domain, shared by the commands that append replay events. */
export const LEDGER_OPTIONS = {
  "ledger-table": text({ required: true, value: "<table>", description: "the ledger's events table (stack output ledgerTableName)" }),
  "idempotency-table": text({
    required: true,
    value: "<table>",
    description: "the ledger's idempotency table: each replay's key is remembered there, so a repeat appends nothing",
  }),
  domain: text({ required: true, value: "<file>", description: "the module exporting the domain (a .ts file needs ts-node)" }),
  export: text({ default: "default", value: "<name>", description: "the domain's export in that module" }),
} as const;

/** The same options, all optional: a command that needs the ledger only for some of its work. */
export const OPTIONAL_LEDGER_OPTIONS = {
  "ledger-table": text({ value: "<table>", description: LEDGER_OPTIONS["ledger-table"].description }),
  "idempotency-table": text({ value: "<table>", description: LEDGER_OPTIONS["idempotency-table"].description }),
  domain: text({ value: "<file>", description: LEDGER_OPTIONS.domain.description }),
  export: LEDGER_OPTIONS.export,
} as const;
