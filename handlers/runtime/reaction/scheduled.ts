import { createHash } from "node:crypto";
import { isPlainObject } from "../domain/domain";
import { PoisonMessageError } from "../messages/errors";

/**
 * A command a reaction asked to run later, as the scheduler delivers it back to the reactor's queue:
 * everything needed to run it, its idempotency key included, so the source event is not needed again.
 */
export interface ScheduledCommand<C = unknown> {
  kind: "scheduled-command";
  reaction: string;
  aggregateId: string;
  command: C;
  idempotencyKey: string;
  /** When it was asked to run (ISO-8601). */
  at: string;
  /** The source event it came from. */
  source: { service: string; aggregateId: string; version: number; type: string };
}

/** Asks for a message on the reactor's queue at a time: EventBridge Scheduler deployed, a clock locally. */
export interface CommandScheduler {
  /**
   * Schedules `command` once: asking again for the same `idempotencyKey` schedules nothing new
   * (the schedule's name is derived from it). Resolves once the schedule is stored.
   */
  schedule(command: ScheduledCommand): Promise<void>;
}

/** A schedule's name for a key: at most 64 characters of [0-9a-zA-Z-_.], as EventBridge Scheduler requires. */
export const scheduleNameOf = (idempotencyKey: string): string =>
  `cmd-${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 56)}`;

/** A queue body as a scheduled command, or undefined when it is not one. */
export function scheduledCommandOf(body: unknown): ScheduledCommand | undefined {
  if (!isPlainObject(body) || body.kind !== "scheduled-command") return undefined;
  const { reaction, aggregateId, idempotencyKey, at, source } = body;
  if (typeof reaction !== "string" || typeof aggregateId !== "string" || typeof idempotencyKey !== "string" || typeof at !== "string")
    throw new PoisonMessageError("a scheduled command needs reaction, aggregateId, idempotencyKey and at strings");
  if (!isPlainObject(source) || typeof source.aggregateId !== "string" || typeof source.version !== "number")
    throw new PoisonMessageError("a scheduled command names no source event");
  if (!("command" in body)) throw new PoisonMessageError("a scheduled command carries no command");
  return body as unknown as ScheduledCommand;
}
