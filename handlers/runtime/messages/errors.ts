import { LedgerError } from "../support/errors";

/** A queue message that can never be projected (malformed, unknown schema): dead-lettered with this reason, never retried. */
export class PoisonMessageError extends LedgerError {
  readonly code = "poison-message";
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(reason, options);
  }
}
