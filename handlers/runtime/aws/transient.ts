import { StoreUnavailableError } from "../support/errors";

/** Error names AWS services and the SDK give to conditions that pass: throttling, timeouts, capacity. */
const TRANSIENT_NAMES = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "Throttling",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "LimitExceededException",
  "TransactionInProgressException",
  "InternalServerError",
  "InternalFailure",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
]);

/** Node's codes for a connection that broke or never formed. */
const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ENOTFOUND", "ECONNABORTED"]);

/**
 * True when an SDK error says "not now" rather than "never": throttled, timed out, a broken
 * connection, or a 5xx from the service. Such a request may be sent again as it is.
 */
export function isTransient(error: unknown): boolean {
  const failure = error as { name?: string; code?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } } | undefined;
  if (!failure || typeof failure !== "object") return false;
  if (TRANSIENT_NAMES.has(failure.name ?? "") || NETWORK_CODES.has(failure.code ?? "")) return true;
  if (failure.$retryable !== undefined) return true;
  const status = failure.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/** Runs a read (or a write that can only fail before taking effect); a transient failure becomes StoreUnavailableError. */
export async function unlessUnavailable<T>(operation: string, resource: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isTransient(error)) throw new StoreUnavailableError(operation, resource, { cause: error });
    throw error;
  }
}
