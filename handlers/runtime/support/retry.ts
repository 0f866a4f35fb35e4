/** The one retry pacing of the runtime: every loop that sends again after a refusal or a conflict waits with it. */
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

export const backoff = (attempt: number, options: BackoffOptions): Promise<void> => sleep(backoffDelay(attempt, options));
