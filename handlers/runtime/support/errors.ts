/**
 * The base of every typed error: a stable `code` a caller (or the HTTP routes, or a metric) acts
 * on without parsing text, whether the condition passes (`retryable`), and the underlying error as
 * `cause`. The errors of each layer live beside it (domain, ledger, command); these are the ones
 * every layer may raise.
 */
export abstract class LedgerError extends Error {
  /** What went wrong, stable across releases: the HTTP routes and the metrics key on it. */
  abstract readonly code: string;
  /** True when the same request may succeed later as it is (send it again, with the same idempotency key). */
  readonly retryable: boolean = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A domain or projection given to a handler or a component is not one (a wrong export, a missing function). */
export class InvalidDefinitionError extends LedgerError {
  readonly code = "invalid-definition";
  constructor(
    readonly what: string,
    readonly problem: string,
  ) {
    super(`${what} ${problem}`);
  }
}

/**
 * A store could not serve a read or write for now: throttled, timed out or failing on its side,
 * after the SDK's own retries. Nothing is known to be wrong with the request: send it again later
 * (a command with the same idempotency key).
 */
export class StoreUnavailableError extends LedgerError {
  readonly code = "unavailable";
  override readonly retryable = true;
  constructor(
    readonly operation: string,
    readonly resource: string,
    options?: ErrorOptions,
  ) {
    const cause = (options?.cause as { name?: string; message?: string } | undefined) ?? {};
    super(`${operation} on ${resource} failed for now (${cause.name ?? "error"}: ${cause.message ?? "no detail"}); try again`, options);
  }
}

/** A setting (an environment variable a component sets, or an argument) holds a value that cannot be used. */
export class ConfigurationError extends LedgerError {
  readonly code: string = "configuration";
  constructor(
    readonly setting: string,
    readonly problem: string,
  ) {
    super(`${setting} ${problem}`);
  }
}
