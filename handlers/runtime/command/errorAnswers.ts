import { LedgerError } from "../support/errors";

/** How a command or read that ended with an error is answered over HTTP and counted. */
export interface ErrorAnswer {
  /** The HTTP status. */
  status: number;
  /** What the caller may do next, appended to the error's message. */
  hint?: string;
  /** The metric a command ending this way counts in (the command API's metrics). */
  metric?: string;
}

/**
 * The one table from an error's code to its answer: the HTTP routes and the command API's
 * metrics both read it. A retryable error (`LedgerError.retryable`) is also told to retry
 * (Retry-After); an error whose code is not here is a 500 naming only the request id.
 */
export const ERROR_ANSWERS: Readonly<Record<string, ErrorAnswer>> = {
  rejected: { status: 409, metric: "CommandsRejected" },
  "invalid-command": { status: 400 },
  "invalid-event": { status: 400 },
  "commit-too-large": { status: 413 },
  "idempotency-key-reused": { status: 422 },
  contention: { status: 503, hint: "send the command again", metric: "RetriesExhausted" },
  "outcome-unknown": {
    status: 503,
    hint: "send it again with the same Idempotency-Key to learn the outcome",
    metric: "CommitOutcomesUnknown",
  },
  unavailable: { status: 503, hint: "send the request again (a command with the same Idempotency-Key)", metric: "StoreUnavailable" },
};

/** The answer to an error, or undefined for one that is not a typed error the routes know. */
export function answerTo(error: unknown): (ErrorAnswer & { code: string; retryable: boolean }) | undefined {
  if (!(error instanceof LedgerError)) return undefined;
  const answer = ERROR_ANSWERS[error.code];
  return answer && { ...answer, code: error.code, retryable: error.retryable };
}
