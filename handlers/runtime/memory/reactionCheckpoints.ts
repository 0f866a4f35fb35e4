import { ClaimOutcome, ReactionCheckpoints, claimOutcome } from "../reaction/checkpoints";

/**
 * Reaction checkpoints in memory, with the DynamoDB adapter's semantics (a claim is one conditional
 * write): for tests and the reactions of services' own unit tests.
 */
export class InMemoryReactionCheckpoints implements ReactionCheckpoints {
  readonly stored = new Map<string, { acted?: number; pending?: number }>();

  async claim(key: string, version: number): Promise<ClaimOutcome> {
    const before = this.stored.get(key);
    const outcome = claimOutcome(before, version);
    if (outcome.status === "claimed") this.stored.set(key, { acted: before?.acted ?? 0, pending: version });
    return outcome;
  }

  async complete(key: string, version: number): Promise<void> {
    const item = this.stored.get(key);
    if (item?.pending === version) this.stored.set(key, { acted: Math.max(item.acted ?? 0, version) });
  }

  async release(key: string, version: number): Promise<void> {
    const item = this.stored.get(key);
    if (item?.pending === version) this.stored.set(key, { acted: item.acted ?? 0 });
  }
}
