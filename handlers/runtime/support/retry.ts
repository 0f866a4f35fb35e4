/** The one retry loop of the runtime: every place that sends again after a refusal, a partial answer or a conflict uses it. */
import { setTimeout as sleep } from "node:timers/promises";

export interface BackoffOptions {
  /** Delay ceiling of the first retry, in ms; it doubles with each attempt. */
  baseMs: number;
  /** Largest delay ceiling, in ms. */
  capMs: number;
}

/** "Full jitter" backoff: a random delay below min(cap, base · 2^(attempt-1)), so contenders spread out. */
export const backoffDelay = (attempt: number, { baseMs, capMs }: BackoffOptions): number =>
  Math.random() * Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));

export interface RetryOptions<T> {
  /** Attempts at most, the first included. */
  attempts: number;
  /** Retries start only within this many ms of the first failed attempt. Default: no time bound. */
  withinMs?: number;
  /** The pause before each retry (its ceiling doubles from `baseMs` with each retry). */
  backoff: BackoffOptions;
  /** Whether a thrown error is worth another attempt. Default: none is, it is thrown at once. */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Whether a value is only partial and worth another attempt (unprocessed keys, refused entries). Default: never. */
  isIncomplete?: (value: T, attempt: number) => boolean;
  /** Whether to pause before retrying after this attempt. Default: always. */
  pauseAfter?: (attempt: number) => boolean;
}

/**
 * Runs `attempt` (1, 2, …) until it returns a complete value, an error it should not retry, or the
 * budget (attempts, time) is spent, pausing with full-jitter backoff between attempts. When the
 * budget is spent it throws the last error, or returns the last (incomplete) value: the caller
 * says what that means (an outcome unknown, entries left over).
 */
export async function retry<T>(attempt: (attempt: number) => Promise<T>, options: RetryOptions<T>): Promise<T> {
  let firstFailureAt: number | undefined;
  for (let number = 1; ; number += 1) {
    let again: boolean;
    let value: T | undefined;
    let failure: { error: unknown } | undefined;
    try {
      value = await attempt(number);
      again = options.isIncomplete?.(value, number) ?? false;
    } catch (error) {
      failure = { error };
      again = options.shouldRetry?.(error, number) ?? false;
    }
    if (again) {
      firstFailureAt ??= Date.now();
      const spent = number >= options.attempts || (options.withinMs !== undefined && Date.now() - firstFailureAt > options.withinMs);
      if (!spent) {
        if (options.pauseAfter?.(number) ?? true) await sleep(backoffDelay(number, options.backoff));
        continue;
      }
    }
    if (failure) throw failure.error;
    return value as T;
  }
}
