import { stringAttributes } from "../handlers/runtime/operations/deadLetterRedrive/messages";
import { SCHEDULE_RETRY_POLICY, atExpressionTime } from "../handlers/runtime/aws/eventBridgeScheduler";
import { ScheduledCommand, scheduleNameOf } from "../handlers/runtime/reaction/scheduled";
import { DeliveryFailure } from "./inProcessBus";
import { LOCAL_ACCOUNT, LocalQueue, MessageRefusedError } from "./localQueue";

/** What became of one due command. */
export type ScheduledDelivery = "delivered" | "dead-lettered" | "dropped";

/**
 * EventBridge Scheduler running a reactor's one-time schedule: it sends the command to the
 * reactor's queue, retries a retryable failure up to the schedule's retry policy, and otherwise
 * puts its dead-letter event on the DLQ as Scheduler documents it: the input as it is with
 * SCHEDULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, RETRY_ATTEMPTS, EXECUTION_ID, SCHEDULED_TIME,
 * IS_PAYLOAD_TRUNCATED (and EXHAUSTED_RETRY_CONDITION after retries). An input the DLQ cannot hold
 * is cut to fit and marked truncated; a letter the DLQ refuses even so is lost, as on AWS.
 * `fail` injects a delivery failure for an attempt (0 the first).
 */
export function deliverScheduled(
  command: ScheduledCommand,
  target: { queue: LocalQueue; deadLetterQueue: LocalQueue; groupName: string },
  fail?: (command: ScheduledCommand, attempt: number) => DeliveryFailure | undefined,
): ScheduledDelivery {
  const body = JSON.stringify(command);
  for (let attempt = 0; ; attempt += 1) {
    const failure = fail?.(command, attempt) ?? send(target.queue, body);
    if (!failure) return "delivered";
    if (failure.retryable && attempt < SCHEDULE_RETRY_POLICY.MaximumRetryAttempts) continue;
    return putOnDeadLetterQueue(command, body, target, failure, attempt);
  }
}

function send(queue: LocalQueue, body: string): DeliveryFailure | undefined {
  try {
    queue.send(body);
    return undefined;
  } catch (error) {
    // Over the queue's size: no retry can change that.
    if (error instanceof MessageRefusedError)
      return { code: "AWS.SimpleQueueService.InvalidParameterValue", message: error.message, retryable: false };
    throw error;
  }
}

function putOnDeadLetterQueue(
  command: ScheduledCommand,
  body: string,
  target: { queue: LocalQueue; deadLetterQueue: LocalQueue; groupName: string },
  failure: DeliveryFailure,
  retries: number,
): ScheduledDelivery {
  const attributes = (truncated: boolean) =>
    stringAttributes({
      ERROR_CODE: failure.code,
      ERROR_MESSAGE: failure.message,
      EXECUTION_ID: `${scheduleNameOf(command.idempotencyKey).slice(-16)}`,
      ...(failure.retryable ? { EXHAUSTED_RETRY_CONDITION: "MaximumRetryAttempts" } : {}),
      IS_PAYLOAD_TRUNCATED: String(truncated),
      RETRY_ATTEMPTS: String(retries),
      SCHEDULED_TIME: `${atExpressionTime(command.at)}Z`,
      SCHEDULE_ARN: `arn:aws:scheduler:local:${LOCAL_ACCOUNT}:schedule/${target.groupName}/${scheduleNameOf(command.idempotencyKey)}`,
      TARGET_ARN: target.queue.arn,
    });
  const dlq = target.deadLetterQueue;
  try {
    dlq.send(body, attributes(false));
    return "dead-lettered";
  } catch (error) {
    if (!(error instanceof MessageRefusedError)) throw error;
  }
  // Cut to what the DLQ holds beside the attributes (on a character boundary), as Scheduler truncates its payload.
  const room = dlq.maxMessageBytes - (Buffer.byteLength(JSON.stringify(attributes(true))) + 1_024);
  let cut = Buffer.from(body).subarray(0, Math.max(0, room)).toString("utf8");
  if (cut.endsWith("\uFFFD")) cut = cut.slice(0, -1);
  try {
    dlq.send(cut, attributes(true));
    return "dead-lettered";
  } catch (error) {
    if (!(error instanceof MessageRefusedError)) throw error;
    return "dropped";
  }
}
