import { RecentlyUsed } from "../support/recentlyUsed";
import { backoffDelay } from "../support/retry";

/** Aggregates whose last conflict a handler remembers. */
const MAX_CONTENDED = 1_000;

/** A conflict within this long of the previous one on the same aggregate (in this handler) means the aggregate is hot. */
export const CONTENDED_WITHIN_MS = 1_000;

/**
 * The pause a command yields on a hot aggregate: at least `floorMs`, plus full jitter from
 * `baseMs` doubling with each pause the command made, up to `capMs`. Long enough for the writer
 * holding the aggregate to commit a run of commands uncontested (one commit is a write, about a
 * ms); the jitter spreads the waiters so that one, not all, takes the aggregate over next. The
 * ceiling stays low: one widening to 300 ms (from 50) left the last waiters asleep long after the
 * writers they yielded to were done, the aggregate idle 35-45% of a run of 8 processes. In runs of
 * 10 rounds (2026-12-01) these gave 0.59-0.60x the serialized rate at 8 processes and 0.45-0.51x
 * at 16, at 1.43-1.45 and 2.09-2.23 requests per command, against 0.39-0.46x and 0.30-0.34x (1.44-1.49
 * and 2.04-2.10) for 50 to 300 ms; a window of 120 ms that never widens gave 0.56-0.67x and
 * 0.36-0.49x but 2.14-2.75 requests per command at 16.
 */
export const YIELD_BACKOFF = { floorMs: 10, baseMs: 100, capMs: 200 };

/**
 * How a command paces its attempts after version conflicts. Without pacing, writers in several
 * processes on one aggregate fight: the last winner starts its next command at once from a fresh
 * state while the losers sleep and wake to a stale one (a capture effect), and losers that retry at
 * once collide with each other again. So:
 * - A first conflict on an aggregate this handler has not seen contended retries at once, on the
 *   winner's event the refusal carried (no read): two writers meeting once cost one request more.
 * - On a hot aggregate (a conflict here within `CONTENDED_WITHIN_MS`) a command that has not
 *   paused yet yields: it pauses (`YIELD_BACKOFF`), then reads what it missed and tries again. The
 *   writer that won keeps committing uncontested meanwhile.
 * - A command that wakes from its pause to a writer still committing (the newest event it read is
 *   a few of its own round trips old) pauses again instead of writing: a write would race that
 *   writer a round trip behind and be refused, so a wake costs one read instead of a read and one
 *   or two refused writes. When the writer stops, the first waiter to wake takes over.
 * - A command that has paused and meets a conflict on the attempt right after it retries at once,
 *   on the winner's event: it has waited its turn, and its write races the winner's next command
 *   on equal terms (one write each), the loser of the two yielding in turn. The last winner is
 *   not favoured.
 * - Any further conflict pauses again, the ceiling doubling with each pause the command made (not
 *   with each attempt: retries at once do not lengthen the next pause), so waiters that woke
 *   together spread.
 */
export class ContentionPacing {
  private readonly lastConflict = new RecentlyUsed<string, number>(MAX_CONTENDED);

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * The pause before the next attempt after a conflict on `aggregateId`, in ms; 0 retries at once.
   * `attempt`: the attempt that conflicted; `pausedBefore`: it came right after a pause;
   * `yields`: the pauses this command made on hot aggregates so far (the ceiling doubles with each).
   */
  afterConflict(aggregateId: string, { attempt, pausedBefore, yields }: ConflictSoFar): number {
    const now = this.now();
    const previous = this.lastConflict.get(aggregateId);
    this.lastConflict.set(aggregateId, now);
    const hot = previous !== undefined && now - previous < CONTENDED_WITHIN_MS;
    if (attempt === 1 && !hot) return 0;
    if (pausedBefore && attempt > 1) return 0;
    return yieldPause(yields);
  }

  /**
   * After a pause and the read of what it missed: the pause before reading again instead of
   * writing, 0 to write now. A writer whose last event is younger than `ACTIVE_WITHIN_READS` of
   * this command's own reads (the read just made measures the round trip) is still committing:
   * a write now would race it a round trip behind and lose. Bounded: at most `MAX_WAKES_HELD`
   * times, and never past half the command's time budget.
   */
  afterWake({ ageMs, readMs, yields, held, waitedMs, budgetMs }: Woken): number {
    if (!(ageMs < ACTIVE_WITHIN_READS * readMs + ACTIVE_FLOOR_MS)) return 0;
    if (held >= MAX_WAKES_HELD) return 0;
    const pause = yieldPause(yields);
    return waitedMs + pause < budgetMs / 2 ? pause : 0;
  }
}

/** A pause on a hot aggregate after `yields` earlier ones: the floor plus full jitter, the ceiling doubling with each. */
const yieldPause = (yields: number): number => YIELD_BACKOFF.floorMs + backoffDelay(yields + 1, YIELD_BACKOFF);

/**
 * A writer whose newest event is younger than this many of the woken command's own reads, plus
 * `ACTIVE_FLOOR_MS`, is taken to be still committing. Its events are stamped as it decides, so at
 * one commit per round trip the newest is at most about two round trips old when the read answers.
 */
export const ACTIVE_WITHIN_READS = 3;
/** The least age at which a writer is taken to have stopped, in ms: a read faster than a clock tick still leaves a margin. */
export const ACTIVE_FLOOR_MS = 2;
/**
 * Wakes in a row a command reads again instead of writing. With 4 (5 pauses, about 0.6 s) 16
 * processes at an AWS-like round trip made 2.12 requests per command, with 8 (about 1.2 s) 1.90,
 * in the same runs as 3.85 and 3.28 without holding (2026-12-03).
 */
export const MAX_WAKES_HELD = 8;

/** A command woken from a pause, having read what it missed. */
export interface Woken {
  /** How long ago the newest event it read was written (its timestamp), in ms; Infinity when none. */
  readonly ageMs: number;
  /** How long the read took, in ms. */
  readonly readMs: number;
  /** The pauses the command made on hot aggregates so far (each doubles the next one's ceiling). */
  readonly yields: number;
  /** The wakes in a row it read again instead of writing. */
  readonly held: number;
  /** The time since the command began, in ms. */
  readonly waitedMs: number;
  /** The command's time budget (`retryBudgetMs`), in ms. */
  readonly budgetMs: number;
}

/** Where a command stands when an attempt of it meets a version conflict. */
export interface ConflictSoFar {
  /** The attempt that conflicted, the first being 1. */
  readonly attempt: number;
  /** Whether that attempt came right after a pause. */
  readonly pausedBefore: boolean;
  /** The pauses the command made on hot aggregates before this conflict. */
  readonly yields: number;
}
