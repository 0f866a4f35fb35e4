import { retry } from "../support/retry";
import { BusEntry, batchEntries } from "./batching";

/** One PutEvents-like call: per entry, undefined when accepted or the error that refused it. */
export interface Bus {
  putEvents(entries: readonly BusEntry[]): Promise<(string | undefined)[]>;
}

/** An entry that could not be published after every attempt, with the last error. */
export interface FailedEntry<T extends BusEntry> {
  entry: T;
  error: string;
}

/** What publishing a batch came to: the entries still refused after the last attempt, and how many sends were repeats. */
export interface PublishOutcome<T extends BusEntry> {
  failed: FailedEntry<T>[];
  resent: number;
}

export interface PublishOptions {
  /** Attempts per entry, the first included. Default 4. */
  maxAttempts?: number;
  /** Base of the exponential backoff between attempts, in ms. Default 50. */
  backoffMs?: number;
}

/**
 * Publishes every entry in PutEvents-sized batches. Only the entries a call refused
 * (FailedEntryCount) are sent again, with exponential backoff; a call that throws counts
 * as a refusal of its whole batch.
 */
export async function publishAll<T extends BusEntry>(
  bus: Bus,
  entries: readonly T[],
  options: PublishOptions = {},
): Promise<PublishOutcome<T>> {
  let pending: FailedEntry<T>[] = entries.map((entry) => ({ entry, error: "not sent" }));
  let resent = 0;
  if (pending.length === 0) return { failed: [], resent };
  await retry(
    async (attempt) => {
      if (attempt > 1) resent += pending.length;
      const refused: FailedEntry<T>[] = [];
      for (const batch of batchEntries(pending.map((failed) => failed.entry))) {
        try {
          const errors = await bus.putEvents(batch);
          batch.forEach((entry, index) => {
            if (errors[index] !== undefined) refused.push({ entry, error: errors[index] as string });
          });
        } catch (error) {
          refused.push(...batch.map((entry) => ({ entry, error: (error as Error).message ?? String(error) })));
        }
      }
      pending = refused;
    },
    {
      attempts: options.maxAttempts ?? 4,
      backoff: { baseMs: options.backoffMs ?? 50, capMs: 5_000 },
      isIncomplete: () => pending.length > 0,
    },
  );
  return { failed: pending, resent };
}
