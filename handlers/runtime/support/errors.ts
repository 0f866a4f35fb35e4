/**
 * Typed errors: one class per failure a caller may handle. Each carries the
 * aggregate and version involved so logs and callers can act without parsing text,
 * and keeps the underlying error as `cause`.
 */

export class LedgerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Another writer appended at this version first. Retriable after catching up. */
export class VersionConflictError extends LedgerError {
  constructor(readonly aggregateId: string, readonly version: number, options?: ErrorOptions) {
    super(`version ${version} of aggregate "${aggregateId}" was already written by another command`, options);
  }
}

/**
 * A version the ledger does not hold where one must exist: an append after it would leave a gap
 * (the ledger's predecessor check refused it), or a starting point claims a version never reached.
 */
export class VersionGapError extends LedgerError {
  constructor(readonly aggregateId: string, readonly missingVersion: number, detail: string, options?: ErrorOptions) {
    super(`version ${missingVersion} of aggregate "${aggregateId}" does not exist: ${detail}`, options);
  }
}

/** The command kept colliding with concurrent writers until its retry budget ran out. Nothing of it was written. */
export class RetriesExhaustedError extends LedgerError {
  constructor(readonly aggregateId: string, readonly attempts: number, readonly lastVersion: number, options?: ErrorOptions) {
    super(
      `gave up on aggregate "${aggregateId}" after ${attempts} attempts: every append collided ` +
        `(last seen version ${lastVersion}); nothing was written, the command may be sent again`,
      options,
    );
  }
}

/**
 * The write was sent but no answer said whether it was applied (every attempt to learn it failed).
 * Its events may or may not be in the ledger: resend with the same idempotency key to find out safely.
 */
export class CommitOutcomeUnknownError extends LedgerError {
  constructor(readonly aggregateId: string, readonly commitId: string, options?: ErrorOptions) {
    super(
      `the outcome of commit ${commitId} on aggregate "${aggregateId}" is unknown: the write may or may not have been applied; ` +
        `resend the command with the same idempotency key`,
      options,
    );
  }
}

/** An event (to append, read or dispatch) is not well formed for the domain. Never retriable. */
export class InvalidEventError extends LedgerError {
  constructor(readonly reason: string, readonly aggregateId?: string, readonly version?: unknown, options?: ErrorOptions) {
    super(
      `invalid event${aggregateId ? ` for aggregate "${aggregateId}"` : ""}` +
        `${version !== undefined ? ` at version ${String(version)}` : ""}: ${reason}`,
      options,
    );
  }
}

/** A command the domain cannot handle: unknown, malformed, or its decide returned no decision. Never retriable. */
export class InvalidCommandError extends LedgerError {
  constructor(readonly reason: string, readonly aggregateId?: string, options?: ErrorOptions) {
    super(`invalid command${aggregateId ? ` for aggregate "${aggregateId}"` : ""}: ${reason}`, options);
  }
}

/** One commit holds more than DynamoDB can write atomically (items or bytes). */
export class CommitTooLargeError extends LedgerError {
  constructor(readonly aggregateId: string, readonly size: number, readonly limit: number, readonly unit: "items" | "bytes" = "items") {
    super(
      `a commit to aggregate "${aggregateId}" needs ${size} ${unit} but at most ${limit} ` +
        `can be written atomically; split the command`,
    );
  }
}

/** The domain's decide function refused the command (a business rule, not a fault). */
export class CommandRejectedError extends LedgerError {
  constructor(
    readonly aggregateId: string,
    readonly version: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`command on aggregate "${aggregateId}" at version ${version} rejected (${code}): ${detail}`);
  }
}

/** The store's answer to an append whose idempotency key is remembered already: the record says what happened first. */
export class IdempotencyKeyTakenError extends LedgerError {
  constructor(readonly record: import("../ledger/stores").IdempotencyRecord) {
    super(`idempotency key "${record.idempotencyKey}" already holds the outcome of commit ${record.commitId}`);
  }
}

/** An idempotency key sent again with a different command or aggregate: the key is not reused for another request. */
export class IdempotencyKeyReusedError extends LedgerError {
  constructor(readonly idempotencyKey: string) {
    super(`idempotency key "${idempotencyKey}" was already used for a different command; use a new key for a new command`);
  }
}

/** A domain or projection given to a handler or a component is not one (a wrong export, a missing function). */
export class InvalidDefinitionError extends LedgerError {
  constructor(readonly what: string, readonly problem: string) {
    super(`${what} ${problem}`);
  }
}

/**
 * A store could not serve a read or write for now: throttled, timed out or failing on its side,
 * after the SDK's own retries. Nothing is known to be wrong with the request: send it again later
 * (a command with the same idempotency key).
 */
export class StoreUnavailableError extends LedgerError {
  constructor(readonly operation: string, readonly resource: string, options?: ErrorOptions) {
    const cause = (options?.cause as { name?: string; message?: string } | undefined) ?? {};
    super(`${operation} on ${resource} failed for now (${cause.name ?? "error"}: ${cause.message ?? "no detail"}); try again`, options);
  }
}

/** A setting (an environment variable a component sets, or an argument) holds a value that cannot be used. */
export class ConfigurationError extends LedgerError {
  constructor(readonly setting: string, readonly problem: string) {
    super(`${setting} ${problem}`);
  }
}

/** A queue message that can never be projected (malformed, unknown schema): dead-lettered with this reason, never retried. */
export class PoisonMessageError extends LedgerError {
  constructor(readonly reason: string, options?: ErrorOptions) {
    super(reason, options);
  }
}
