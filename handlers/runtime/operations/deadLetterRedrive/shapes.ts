import { HeldMessage } from "./messages";

/** The attributes EventBridge adds to an event it puts on a target's dead-letter queue. */
export const EVENTBRIDGE_DLQ_ATTRIBUTES = [
  "RULE_ARN",
  "TARGET_ARN",
  "ERROR_CODE",
  "ERROR_MESSAGE",
  "EXHAUSTED_RETRY_CONDITION",
  "RETRY_ATTEMPTS",
] as const;

/**
 * The attributes EventBridge Scheduler adds to a schedule's input it puts on the schedule's
 * dead-letter queue (its "dead-letter event"): no RULE_ARN, the schedule instead.
 */
export const SCHEDULER_DLQ_ATTRIBUTES = [
  "SCHEDULE_ARN",
  "TARGET_ARN",
  "ERROR_CODE",
  "ERROR_MESSAGE",
  "EXHAUSTED_RETRY_CONDITION",
  "RETRY_ATTEMPTS",
  "EXECUTION_ID",
  "SCHEDULED_TIME",
  "IS_PAYLOAD_TRUNCATED",
] as const;

/** Every attribute a delivering service (EventBridge, its Scheduler) adds to a dead letter: none belongs to the message. */
export const DELIVERY_ATTRIBUTES: readonly string[] = [...new Set([...EVENTBRIDGE_DLQ_ATTRIBUTES, ...SCHEDULER_DLQ_ATTRIBUTES])];

/**
 * How a message came to be in a dead-letter queue, which says what it holds and where it goes back:
 * - "queue-redrive": SQS's redrive policy moved it from its source queue after maxReceiveCount
 *   receives; the message as it was (for a projector, the EventBridge envelope).
 * - "bus-target": EventBridge could not deliver it to a rule's target; the event as it is, with
 *   EventBridge's attributes saying which rule, which target and why.
 * - "schedule-target": EventBridge Scheduler could not deliver a schedule's input to its target
 *   (a reactor's command asked for later); the input as it was, unless Scheduler truncated it,
 *   with attributes saying which schedule, which target and why.
 * - "handler": a handler (dispatcher or projector) gave up on its input; the body is
 *   `{ reason, origin, input }` (or `inputTruncated` when the input did not fit).
 * - "unknown": none of these.
 */
export type DeadLetterShape =
  | { kind: "queue-redrive"; sourceQueueArn?: string }
  | {
      kind: "bus-target";
      ruleArn: string;
      targetArn: string;
      errorCode: string;
      errorMessage: string;
      exhaustedRetryCondition?: string;
      retryAttempts?: number;
    }
  | {
      kind: "schedule-target";
      scheduleArn: string;
      targetArn: string;
      errorCode: string;
      errorMessage: string;
      exhaustedRetryCondition?: string;
      retryAttempts?: number;
      /** Scheduler cut the input to fit the queue: what is held is not the command. */
      truncated: boolean;
    }
  | { kind: "handler"; origin: string; reason: string; input: unknown; truncated: boolean }
  | { kind: "unknown"; why: string };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** An EventBridge event as a target receives it. */
const isEnvelope = (value: unknown): boolean =>
  isObject(value) && typeof value["detail-type"] === "string" && typeof value.source === "string" && "detail" in value;

/** Recognises a dead letter's shape from its attributes and body. */
export function shapeOf(message: HeldMessage): DeadLetterShape {
  const attribute = (name: string) => message.attributes[name]?.stringValue;
  const ruleArn = attribute("RULE_ARN");
  const targetArn = attribute("TARGET_ARN");
  const retryAttempts = attribute("RETRY_ATTEMPTS");
  // Why EventBridge (or its Scheduler) gave up, as both report it.
  const failure = {
    targetArn: targetArn ?? "",
    errorCode: attribute("ERROR_CODE") ?? "",
    errorMessage: attribute("ERROR_MESSAGE") ?? "",
    ...(attribute("EXHAUSTED_RETRY_CONDITION") !== undefined ? { exhaustedRetryCondition: attribute("EXHAUSTED_RETRY_CONDITION") } : {}),
    ...(retryAttempts !== undefined && Number.isInteger(Number(retryAttempts)) ? { retryAttempts: Number(retryAttempts) } : {}),
  };
  const scheduleArn = attribute("SCHEDULE_ARN");
  if (scheduleArn !== undefined && targetArn !== undefined && ruleArn === undefined)
    return { kind: "schedule-target", scheduleArn, ...failure, truncated: attribute("IS_PAYLOAD_TRUNCATED") === "true" };
  if (ruleArn !== undefined && targetArn !== undefined) return { kind: "bus-target", ruleArn, ...failure };
  if (message.sourceQueueArn) return { kind: "queue-redrive", sourceQueueArn: message.sourceQueueArn };
  const body = parseJson(message.body);
  if (
    isObject(body) &&
    typeof body.reason === "string" &&
    typeof body.origin === "string" &&
    ("input" in body || isObject(body.inputTruncated))
  ) {
    return {
      kind: "handler",
      origin: body.origin,
      reason: body.reason,
      input: "input" in body ? body.input : body.inputTruncated,
      truncated: !("input" in body),
    };
  }
  // An envelope with no EventBridge attributes was moved by SQS, from a reader that did not ask for the source.
  if (isEnvelope(body)) return { kind: "queue-redrive" };
  return {
    kind: "unknown",
    why:
      body === undefined
        ? "the body is not JSON"
        : "neither SQS's redrive, EventBridge's or its Scheduler's DLQ attributes nor a handler's { reason, origin, input }",
  };
}

/** One line saying how the message got here. */
export function describeShape(shape: DeadLetterShape): string {
  switch (shape.kind) {
    case "queue-redrive":
      return `moved by SQS's redrive policy from ${shape.sourceQueueArn ?? "its source queue"} after too many receives`;
    case "bus-target":
      return `EventBridge could not deliver it to ${shape.targetArn} (rule ${shape.ruleArn}): ${shape.errorCode} ${shape.errorMessage}${shape.exhaustedRetryCondition ? ` (${shape.exhaustedRetryCondition} after ${shape.retryAttempts ?? "?"} retries)` : ""}`;
    case "schedule-target":
      return `EventBridge Scheduler could not deliver it to ${shape.targetArn} (schedule ${shape.scheduleArn}): ${shape.errorCode} ${shape.errorMessage}${shape.exhaustedRetryCondition ? ` (${shape.exhaustedRetryCondition} after ${shape.retryAttempts ?? "?"} retries)` : ""}${shape.truncated ? " (payload truncated)" : ""}`;
    case "handler":
      return `${shape.origin} gave up on it: ${shape.reason}${shape.truncated ? " (input truncated)" : ""}`;
    case "unknown":
      return `unrecognised: ${shape.why}`;
  }
}
