import { CHECKPOINT_KEY_PREFIX, REACTION_KEY_PREFIX } from "../command/idempotency";
import { checksumOf } from "../support/checksum";

/**
 * Where a reaction stands on one source aggregate: the highest version it acted on, and the version
 * it is acting on now, if any. Claiming a version before acting and completing it after is what
 * keeps a reaction from ever acting on an older version than one it acted on, across processes.
 */
export type ClaimOutcome =
  /** The version is this caller's to act on; `previousVersion` is the one acted on before it (0: none). */
  | { status: "claimed"; previousVersion: number }
  /** A version at or above it was acted on (or is being acted on): this one is superseded or a duplicate. */
  | { status: "superseded"; actedVersion: number }
  /** Another version is being acted on (its claim's lease has not run out): try this one again later. */
  | { status: "waiting"; pendingVersion: number };

/** A checkpoint as stored: the version acted on last, and the claim in progress with the time its lease runs out (epoch ms). */
export interface StoredCheckpoint {
  acted?: number;
  pending?: number;
  leaseUntil?: number;
}

export interface ReactionCheckpoints {
  /**
   * Claims `version` of the source aggregate under `key` until `leaseUntil` (epoch ms), unless a
   * version at or above it was acted on, or another version holds a claim whose lease has not run out.
   */
  claim(key: string, version: number, now: number, leaseUntil: number): Promise<ClaimOutcome>;
  /** Marks the claimed version acted on. */
  complete(key: string, version: number): Promise<void>;
  /** Gives up a claim without acting (the reaction could not be computed): a later version may go ahead. */
  release(key: string, version: number): Promise<void>;
}

/**
 * The outcome of a claim, decided from what was stored before it. Another version's live claim makes
 * this one wait, whether it is older (it must complete first) or newer (it may yet be given up, and
 * this one then acted on). A claim whose lease ran out (its function died, its message went to the
 * dead-letter queue) no longer holds the aggregate back.
 */
export function claimOutcome(stored: StoredCheckpoint | undefined, version: number, now: number): ClaimOutcome {
  const acted = stored?.acted ?? 0;
  const pending = stored?.pending;
  if (acted >= version) return { status: "superseded", actedVersion: acted };
  if (pending !== undefined && pending !== version && (stored?.leaseUntil ?? Infinity) >= now)
    return { status: "waiting", pendingVersion: pending };
  return { status: "claimed", previousVersion: acted };
}

/** The checkpoint of a reaction on one source aggregate: fixed length, whatever the ids' lengths. */
export const checkpointKey = (reaction: string, service: string, aggregateId: string): string =>
  `${CHECKPOINT_KEY_PREFIX}${reaction}:${checksumOf({ service, aggregateId }).slice(0, 40)}`;

/**
 * The idempotency key of a reaction's command: the source event's identity (service, aggregate,
 * version) and the command's position in the reply, so every delivery of the event applies it once.
 */
export const reactionCommandKey = (reaction: string, source: { service: string; aggregateId: string; version: number }, index: number) =>
  `${REACTION_KEY_PREFIX}${reaction}:${checksumOf({ service: source.service, aggregateId: source.aggregateId, version: source.version, index }).slice(0, 48)}`;
