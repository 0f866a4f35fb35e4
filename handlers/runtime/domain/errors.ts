import { LedgerError } from "../support/errors";

/** An event (to append, read or dispatch) is not well formed for the domain. Never retriable. */
export class InvalidEventError extends LedgerError {
  readonly code = "invalid-event";
  constructor(
    readonly reason: string,
    readonly aggregateId?: string,
    readonly version?: unknown,
    options?: ErrorOptions,
  ) {
    super(
      `invalid event${aggregateId ? ` for aggregate "${aggregateId}"` : ""}` +
        `${version !== undefined ? ` at version ${String(version)}` : ""}: ${reason}`,
      options,
    );
  }
}

/** A command the domain cannot handle: unknown, malformed, or its decide returned no decision. Never retriable. */
export class InvalidCommandError extends LedgerError {
  readonly code = "invalid-command";
  constructor(
    readonly reason: string,
    readonly aggregateId?: string,
    options?: ErrorOptions,
  ) {
    super(`invalid command${aggregateId ? ` for aggregate "${aggregateId}"` : ""}: ${reason}`, options);
  }
}
