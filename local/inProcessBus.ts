import { randomUUID } from "node:crypto";
import { BusEntry } from "../handlers/runtime/dispatch/batching";
import { Bus } from "../handlers/runtime/dispatch/publisher";
import { EventPattern } from "../handlers/runtime/eventPatterns";
import { matchesPattern } from "./eventPatternMatch";
import { LocalQueue } from "./localQueue";
import { Random } from "./random";

/**
 * An EventBridge stand-in: routes each entry, as the envelope EventBridge delivers, to every
 * queue whose rule matches. With `refuse`, it refuses that share of entries the way a
 * throttled PutEvents does (per entry), so the dispatcher's resend path runs.
 */
export class InProcessBus implements Bus {
  private readonly rules: { pattern: EventPattern; queue: LocalQueue }[] = [];
  published = 0;
  refused = 0;
  /** While true every PutEvents call fails, as in a regional EventBridge outage. */
  outage = false;

  constructor(private readonly refuse?: { random: Random; probability: number }) {}

  subscribe(pattern: EventPattern, queue: LocalQueue): void {
    this.rules.push({ pattern, queue });
  }

  async putEvents(entries: readonly BusEntry[]): Promise<(string | undefined)[]> {
    if (this.outage) throw Object.assign(new Error("EventBridge is unavailable (local outage)"), { name: "ServiceUnavailableException", $fault: "server" });
    return entries.map((entry) => {
      if (this.refuse?.random.chance(this.refuse.probability)) {
        this.refused += 1;
        return "ThrottlingException: rate exceeded (local chaos)";
      }
      const envelope = { version: "0", id: randomUUID(), "detail-type": entry.detailType, source: entry.source, time: new Date().toISOString(), detail: JSON.parse(entry.detail) };
      const body = JSON.stringify(envelope);
      for (const rule of this.rules) if (matchesPattern(rule.pattern, envelope)) rule.queue.send(body);
      this.published += 1;
      return undefined;
    });
  }
}
