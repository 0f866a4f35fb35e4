/**
 * The time the local stage's schedules run on: the system clock moved forward by what a scenario
 * asked for, so a timeout of 15 minutes comes due at once, and the tests decide when.
 */
export interface LocalClock {
  now(): Date;
}

/** A clock that can be moved forward (never back): the network of a scenario or a test. */
export class ManualClock implements LocalClock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`a clock moves forward only, by a finite number of ms, got ${ms}`);
    this.offsetMs += ms;
  }
}

export const systemClock = (): LocalClock => ({ now: () => new Date() });
