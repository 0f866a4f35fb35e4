import { ClaimOutcome, ReactionCheckpoints, StoredCheckpoint, claimOutcome } from "../reaction/checkpoints";

/**
 * Reaction checkpoints in memory, with the DynamoDB adapter's semantics (a claim is one conditional
 * write): for tests and the reactions of services' own unit tests.
 */
export class InMemoryReactionCheckpoints implements ReactionCheckpoints {
  readonly stored = new Map<string, StoredCheckpoint>();

  async claim(key: string, version: number, now: number, leaseUntil: number): Promise<ClaimOutcome> {
    const before = this.stored.get(key);
    const outcome = claimOutcome(before, version, now);
    if (outcome.status === "claimed") this.stored.set(key, { acted: before?.acted ?? 0, pending: version, leaseUntil });
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
