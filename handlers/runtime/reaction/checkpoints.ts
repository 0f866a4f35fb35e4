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
  /** An older version is being acted on and has not completed: try this one again later. */
  | { status: "waiting"; pendingVersion: number };

export interface ReactionCheckpoints {
  /** Claims `version` of the source aggregate under `key`, unless a version at or above it was claimed. */
  claim(key: string, version: number): Promise<ClaimOutcome>;
  /** Marks the claimed version acted on. */
  complete(key: string, version: number): Promise<void>;
  /** Gives up a claim without acting (the reaction could not be computed): a later version may go ahead. */
  release(key: string, version: number): Promise<void>;
}

/** What the checkpoint stores: the outcome of a claim, decided from what was stored before it. */
export function claimOutcome(stored: { acted?: number; pending?: number } | undefined, version: number): ClaimOutcome {
  const acted = stored?.acted ?? 0;
  const pending = stored?.pending;
  if (acted >= version) return { status: "superseded", actedVersion: acted };
  if (pending !== undefined && pending !== version) {
    // A newer version claimed: this one will never be acted on. An older one: wait for it to complete.
    return pending > version ? { status: "superseded", actedVersion: pending } : { status: "waiting", pendingVersion: pending };
  }
  return { status: "claimed", previousVersion: acted };
}

/** Prefix of checkpoint keys in the idempotency table, apart from any client's key. */
export const CHECKPOINT_PREFIX = "reaction-checkpoint:";

/** The checkpoint of a reaction on one source aggregate: fixed length, whatever the ids' lengths. */
export const checkpointKey = (reaction: string, service: string, aggregateId: string): string =>
  `${CHECKPOINT_PREFIX}${reaction}:${checksumOf({ service, aggregateId }).slice(0, 40)}`;

/**
 * The idempotency key of a reaction's command: the source event's identity (service, aggregate,
 * version) and the command's position in the reply, so every delivery of the event applies it once.
 */
export const reactionCommandKey = (reaction: string, source: { service: string; aggregateId: string; version: number }, index: number) =>
  `reaction:${reaction}:${checksumOf({ service: source.service, aggregateId: source.aggregateId, version: source.version, index }).slice(0, 48)}`;
