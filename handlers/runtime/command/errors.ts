import { LedgerError } from "../support/errors";

/** The command kept colliding with concurrent writers until its retry budget ran out. Nothing of it was written. */
export class RetriesExhaustedError extends LedgerError {
  readonly code = "contention";
  override readonly retryable = true;
  constructor(
    readonly aggregateId: string,
    readonly attempts: number,
    readonly lastVersion: number,
    options?: ErrorOptions,
  ) {
    super(
      `gave up on aggregate "${aggregateId}" after ${attempts} attempts: every append collided ` +
        `(last seen version ${lastVersion}); nothing was written, the command may be sent again`,
      options,
    );
  }
}

/** The domain's decide function refused the command (a business rule, not a fault). */
export class CommandRejectedError extends LedgerError {
  readonly code = "rejected";
  constructor(
    readonly aggregateId: string,
    readonly version: number,
    /** The domain's rejection code (e.g. "insufficient-funds"). */
    readonly reason: string,
    readonly detail: string,
  ) {
    super(`command on aggregate "${aggregateId}" at version ${version} rejected (${reason}): ${detail}`);
  }
}

/** An idempotency key sent again with a different command or aggregate: the key is not reused for another request. */
export class IdempotencyKeyReusedError extends LedgerError {
  readonly code = "idempotency-key-reused";
  constructor(readonly idempotencyKey: string) {
    super(`idempotency key "${idempotencyKey}" was already used for a different command; use a new key for a new command`);
  }
}
