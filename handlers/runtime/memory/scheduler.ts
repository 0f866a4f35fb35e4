import { CommandScheduler, ScheduledCommand, scheduleNameOf } from "../reaction/scheduled";

/**
 * Scheduled commands on a clock the caller moves: `due(now)` hands over, once, every command whose
 * time has come, in time order. One schedule per idempotency key, as EventBridge Scheduler keeps
 * one schedule per name. For tests and the local stage.
 */
export class InMemoryScheduler implements CommandScheduler {
  private readonly pending = new Map<string, ScheduledCommand>();
  /** Schedules asked for, a repeat of a name included. */
  requests = 0;

  async schedule(command: ScheduledCommand): Promise<void> {
    this.requests += 1;
    const name = scheduleNameOf(command.idempotencyKey);
    if (!this.pending.has(name)) this.pending.set(name, command);
  }

  /** The commands due at `now`, removed from the schedule (a one-time schedule deletes itself once run). */
  due(now: Date): ScheduledCommand[] {
    const due = [...this.pending.entries()].filter(([, command]) => Date.parse(command.at) <= now.getTime());
    for (const [name] of due) this.pending.delete(name);
    return due.map(([, command]) => command).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }

  /** Takes over the commands `previous` still holds (a scheduler being replaced); how many. */
  takeOver(previous: InMemoryScheduler): number {
    for (const [name, command] of previous.pending) if (!this.pending.has(name)) this.pending.set(name, command);
    const moved = previous.pending.size;
    previous.pending.clear();
    return moved;
  }

  /** Commands still waiting for their time. */
  get waiting(): number {
    return this.pending.size;
  }
}
