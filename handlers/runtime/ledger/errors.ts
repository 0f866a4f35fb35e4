import { LedgerError } from "../support/errors";
import type { IdempotencyRecord } from "./stores";

/** Another writer appended at this version first. Retriable after catching up. */
export class VersionConflictError extends LedgerError {
  readonly code = "version-conflict";
  override readonly retryable = true;
  /**
   * The event the ledger holds at `version`, as stored (unvalidated), when the refusal returned it
   * (DynamoDB's ReturnValuesOnConditionCheckFailure): the winner's event, read in the same request,
   * so a loser that missed only it needs no query. Absent when the refusal did not carry it.
   */
  readonly held?: Record<string, unknown>;
  constructor(
    readonly aggregateId: string,
    readonly version: number,
    options?: ErrorOptions & { held?: Record<string, unknown> },
  ) {
    super(`version ${version} of aggregate "${aggregateId}" was already written by another command`, options);
    if (options?.held) this.held = options.held;
  }
}

/**
 * A version the ledger does not hold where one must exist: an append after it would leave a gap
 * (the ledger's predecessor check refused it), or a starting point claims a version never reached.
 */
export class VersionGapError extends LedgerError {
  readonly code = "version-gap";
  constructor(
    readonly aggregateId: string,
    readonly missingVersion: number,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`version ${missingVersion} of aggregate "${aggregateId}" does not exist: ${detail}`, options);
  }
}

/**
 * The write was sent but no answer said whether it was applied (every attempt to learn it failed).
 * Its events may or may not be in the ledger: resend with the same idempotency key to find out safely.
 */
export class CommitOutcomeUnknownError extends LedgerError {
  readonly code = "outcome-unknown";
  override readonly retryable = true;
  constructor(
    readonly aggregateId: string,
    readonly commitId: string,
    options?: ErrorOptions,
  ) {
    super(
      `the outcome of commit ${commitId} on aggregate "${aggregateId}" is unknown: the write may or may not have been applied; ` +
        `resend the command with the same idempotency key`,
      options,
    );
  }
}

/** One commit holds more than DynamoDB can write atomically (items or bytes). */
export class CommitTooLargeError extends LedgerError {
  readonly code = "commit-too-large";
  constructor(
    readonly aggregateId: string,
    readonly size: number,
    readonly limit: number,
    readonly unit: "items" | "bytes" = "items",
  ) {
    super(
      `a commit to aggregate "${aggregateId}" needs ${size} ${unit} but at most ${limit} ` + `can be written atomically; split the command`,
    );
  }
}

/** The store's answer to an append whose idempotency key is remembered already: the record says what happened first. */
export class IdempotencyKeyTakenError extends LedgerError {
  readonly code = "idempotency-key-taken";
  constructor(readonly record: IdempotencyRecord) {
    super(`idempotency key "${record.idempotencyKey}" already holds the outcome of commit ${record.commitId}`);
  }
}
