/**
 * Typed errors: one class per failure a caller may handle. Each carries the
 * aggregate and version involved so logs and callers can act without parsing text.
 */

export class LedgerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Another writer appended at this version first. Retriable after catching up. */
export class VersionConflictError extends LedgerError {
  constructor(readonly aggregateId: string, readonly version: number) {
    super(`version ${version} of aggregate "${aggregateId}" was already written by another command`);
  }
}

/** The command kept colliding with concurrent writers until its retry budget ran out. */
export class RetriesExhaustedError extends LedgerError {
  constructor(readonly aggregateId: string, readonly attempts: number, readonly lastVersion: number) {
    super(
      `gave up on aggregate "${aggregateId}" after ${attempts} attempts: every append collided ` +
        `(last seen version ${lastVersion}); raise maxAttempts or reduce contention on this aggregate`,
    );
  }
}

/** An event (to append, read or dispatch) is not well formed for the domain. Never retriable. */
export class InvalidEventError extends LedgerError {
  constructor(readonly reason: string, readonly aggregateId?: string, readonly version?: unknown) {
    super(
      `invalid event${aggregateId ? ` for aggregate "${aggregateId}"` : ""}` +
        `${version !== undefined ? ` at version ${String(version)}` : ""}: ${reason}`,
    );
  }
}

/** One command produced more events than one atomic commit can hold. */
export class CommitTooLargeError extends LedgerError {
  constructor(readonly aggregateId: string, readonly eventCount: number, readonly limit: number) {
    super(
      `a commit to aggregate "${aggregateId}" holds ${eventCount} events but at most ${limit} ` +
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
