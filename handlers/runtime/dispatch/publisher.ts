import { setTimeout as sleep } from "node:timers/promises";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
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

export interface PublishOptions {
  /** Attempts per entry, the first included. Default 4. */
  maxAttempts?: number;
  /** Base of the exponential backoff between attempts, in ms. Default 50. */
  backoffMs?: number;
}

/**
 * Publishes every entry in PutEvents-sized batches. Only the entries a call refused
 * (FailedEntryCount) are sent again, with exponential backoff; a call that throws counts
 * as a refusal of its whole batch. Returns what still failed after the last attempt.
 */
export async function publishAll<T extends BusEntry>(
  bus: Bus,
  entries: readonly T[],
  options: PublishOptions = {},
): Promise<FailedEntry<T>[]> {
  const maxAttempts = options.maxAttempts ?? 4;
  let pending: FailedEntry<T>[] = entries.map((entry) => ({ entry, error: "not sent" }));
  for (let attempt = 1; pending.length > 0 && attempt <= maxAttempts; attempt += 1) {
    if (attempt > 1) await sleep((options.backoffMs ?? 50) * 2 ** (attempt - 2) * (0.5 + Math.random() / 2));
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
  }
  return pending;
}

/** The Bus on a real EventBridge bus. */
export class EventBridgeBus implements Bus {
  constructor(
    private readonly client: EventBridgeClient,
    readonly eventBusName: string,
  ) {}

  async putEvents(entries: readonly BusEntry[]): Promise<(string | undefined)[]> {
    const response = await this.client.send(
      new PutEventsCommand({
        Entries: entries.map((entry) => ({
          EventBusName: this.eventBusName,
          Source: entry.source,
          DetailType: entry.detailType,
          Detail: entry.detail,
        })),
      }),
    );
    const results = response.Entries ?? [];
    return entries.map((_entry, index) => {
      const result = results[index];
      if (!result) return "no result returned for this entry";
      return result.ErrorCode ? `${result.ErrorCode}: ${result.ErrorMessage ?? ""}`.trim() : undefined;
    });
  }
}
