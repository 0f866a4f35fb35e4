import { ConflictException, CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { CommandScheduler, ScheduledCommand, scheduleNameOf } from "../reaction/scheduled";
import { unlessUnavailable } from "./transient";

/** How each schedule retries a delivery that fails for now: a day, and Scheduler's most attempts. */
export const SCHEDULE_RETRY_POLICY = { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 };

export interface EventBridgeSchedulerOptions {
  /** The schedule group the reactor's schedules go to (the Reactor component creates one per reactor). */
  groupName: string;
  /** The reactor's queue: each schedule sends its command there when due. */
  queueArn: string;
  /** The role EventBridge Scheduler sends with (sqs:SendMessage on the queue and the dead-letter queue). */
  roleArn: string;
  /** Where a schedule's message goes when Scheduler cannot deliver it after its retries. */
  deadLetterQueueArn: string;
}

/**
 * Commands for later as EventBridge Scheduler one-time schedules: `at(...)` in UTC, sending the
 * command to the reactor's queue, deleted once run. The schedule's name is derived from the
 * command's idempotency key, so asking again (a redelivered source event) finds the schedule taken
 * (ConflictException) and creates nothing new.
 */
export class EventBridgeScheduler implements CommandScheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly options: EventBridgeSchedulerOptions,
  ) {}

  async schedule(command: ScheduledCommand): Promise<void> {
    const { groupName, queueArn, roleArn, deadLetterQueueArn } = this.options;
    try {
      await unlessUnavailable("CreateSchedule", groupName, () =>
        this.client.send(
          new CreateScheduleCommand({
            Name: scheduleNameOf(command.idempotencyKey),
            GroupName: groupName,
            // at(yyyy-mm-ddThh:mm:ss) in UTC, rounded up to the second so that it never runs early (the reaction bounds the year to four digits).
            ScheduleExpression: `at(${atExpressionTime(command.at)})`,
            ScheduleExpressionTimezone: "UTC",
            FlexibleTimeWindow: { Mode: "OFF" },
            ActionAfterCompletion: "DELETE",
            Target: {
              Arn: queueArn,
              RoleArn: roleArn,
              Input: JSON.stringify(command),
              DeadLetterConfig: { Arn: deadLetterQueueArn },
              RetryPolicy: SCHEDULE_RETRY_POLICY,
            },
            Description: `${command.reaction}: ${command.source.service}/${command.source.type} v${command.source.version}`.slice(0, 512),
          }),
        ),
      );
    } catch (error) {
      if (error instanceof ConflictException) return;
      throw error;
    }
  }
}

/** A command's time as at() takes it: UTC, to the second, rounded up. */
export function atExpressionTime(at: string): string {
  return new Date(Math.ceil(Date.parse(at) / 1000) * 1000).toISOString().slice(0, 19);
}
