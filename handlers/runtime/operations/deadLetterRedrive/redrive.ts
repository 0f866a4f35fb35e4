import { PUBLICATIONS_REPLAY_TARGET } from "../../domain/domain";
import { PUBLICATION_LETTER_ORIGIN } from "../../messages/deadLetters";
import { otherTablesOfRecords } from "../streamSource";
import { DeadLetterQueuePort, HeldMessage, MessageAttributes, RedriveTargetsPort } from "./messages";
import { DELIVERY_ATTRIBUTES, DeadLetterShape, describeShape, shapeOf } from "./shapes";

/** Where a dead letter goes to be processed again, or why it cannot go anywhere. */
export type RedrivePlan =
  | { kind: "queue"; queueArn: string; body: string; attributes: MessageAttributes }
  | { kind: "replay"; aggregateIds: string[] }
  | { kind: "republish"; versions: { aggregateId: string; versions: number[] }[] }
  | { kind: "none"; why: string };

/** A dead letter as list and show present it. */
export interface DeadLetterView {
  messageId: string;
  shape: DeadLetterShape;
  /** How it got here, in a line. */
  summary: string;
  /** Where redrive would send it, or why it would not. */
  destination: string;
  sentAt?: number;
  message: HeldMessage;
}

export interface RedriveOptions {
  /** The messages to redrive by id; undefined redrives every message held. */
  ids?: readonly string[];
  /** At most this many messages read from the queue. Default 1,000. */
  limit?: number;
  /**
   * The queue a projector's or a reactor's own dead letters go back to. Default: the one queue
   * whose redrive policy names this DLQ (the consumer's queue, on its DLQ).
   */
  projectorQueueArn?: string;
  /**
   * The ledger the dispatcher's letters are replayed into (its name or ARN): a letter whose stream
   * records name another table's stream is left, naming it, since its aggregates are that table's.
   * Default: the records' stream is not checked.
   */
  ledgerTable?: string;
}

export interface RedriveOutcome {
  messageId: string;
  shape: DeadLetterShape["kind"];
  /** Where it went (redriven), or would have gone (failed). */
  to?: string;
  reason?: string;
}

export interface RedriveReport {
  redriven: RedriveOutcome[];
  /** Left in the DLQ: nowhere known to send them (a reason each). */
  skipped: RedriveOutcome[];
  /** Left in the DLQ: sending failed (the error each). */
  failed: RedriveOutcome[];
  /** Asked-for ids the queue did not hold (within the limit read). */
  notFound: string[];
  /** The queue may hold more messages than were read. */
  more: boolean;
}

/** What the redrive needs to know about where the DLQ's letters came from. */
export interface RedriveContext {
  /** ARNs of the queues whose redrive policy names this DLQ. */
  sourceQueues: readonly string[];
  projectorQueueArn?: string;
  /** Whether the ledger can be replayed (the dispatcher's letters). */
  canReplay: boolean;
  /** The ledger replayed into, when given: the dispatcher's letters must be of its stream. */
  ledgerTable?: string;
}

const DEFAULT_LIMIT = 1_000;

const withoutDeliveryAttributes = (attributes: MessageAttributes): MessageAttributes =>
  Object.fromEntries(Object.entries(attributes).filter(([name]) => !DELIVERY_ATTRIBUTES.includes(name)));

const isQueueArn = (arn: string) => arn.startsWith("arn:") && arn.split(":")[2] === "sqs";

/** The one source queue of this DLQ, or why there is none to choose. */
function soleSource(context: RedriveContext): { arn: string } | { why: string } {
  if (context.sourceQueues.length === 1) return { arn: context.sourceQueues[0] };
  return {
    why:
      context.sourceQueues.length === 0
        ? "no queue names this DLQ in its redrive policy"
        : `${context.sourceQueues.length} queues name this DLQ in their redrive policy (${context.sourceQueues.join(", ")})`,
  };
}

/** The aggregate ids a dispatcher letter's input (one stream record, or several) names. */
export function aggregatesOfDispatcherInput(input: unknown): string[] {
  const records = Array.isArray(input) ? input : [input];
  const ids = new Set<string>();
  for (const record of records) {
    const image = (record as { dynamodb?: { NewImage?: Record<string, { S?: string }>; Keys?: Record<string, { S?: string }> } })?.dynamodb;
    const id = image?.NewImage?.aggregateId?.S ?? image?.Keys?.aggregateId?.S;
    if (typeof id === "string" && id !== "") ids.add(id);
  }
  return [...ids];
}

/**
 * The versions a publications letter's records (one stream record, or several) name, by aggregate:
 * each record's own version, or for a replay that asked for earlier versions' public events again,
 * those versions.
 */
export function versionsOfPublicationInput(input: unknown): { aggregateId: string; versions: number[] }[] {
  const records = Array.isArray(input) ? input : [input];
  const byAggregate = new Map<string, Set<number>>();
  for (const record of records) {
    const image = (record as { dynamodb?: { NewImage?: Record<string, StreamValue> } })?.dynamodb?.NewImage;
    const id = image?.aggregateId?.S;
    const version = Number(image?.version?.N);
    if (typeof id !== "string" || id === "" || !Number.isSafeInteger(version)) continue;
    const earlier =
      image?.payload?.M?.target?.S === PUBLICATIONS_REPLAY_TARGET ? image.payload.M.versions?.L?.map((item) => Number(item.N)) : undefined;
    const versions = byAggregate.get(id) ?? new Set<number>();
    for (const wanted of earlier ?? [version]) if (Number.isSafeInteger(wanted) && wanted > 0) versions.add(wanted);
    byAggregate.set(id, versions);
  }
  return [...byAggregate].map(([aggregateId, versions]) => ({ aggregateId, versions: [...versions].sort((a, b) => a - b) }));
}

/** The part of a stream image's DynamoDB JSON the redrive reads. */
interface StreamValue {
  S?: string;
  N?: string;
  M?: Record<string, StreamValue>;
  L?: StreamValue[];
}

/**
 * Where a dead letter goes back to, by its shape:
 * - SQS moved it: to its source queue, body and attributes as they are;
 * - EventBridge could not deliver it: to the target queue (only that rule's target, not every rule
 *   on the bus), the event as it is, without EventBridge's attributes;
 * - EventBridge Scheduler could not deliver it (a reactor's command asked for later): to the
 *   schedule's target queue, the input as it is, without Scheduler's attributes; not when Scheduler
 *   truncated it, since what is held is then not the command;
 * - a projector or a reactor gave up on it (origin "projector:<name>", "reactor:<name>"): its
 *   message's body to that consumer's queue;
 * - the dispatcher gave up on it (origin "dispatcher"): a replay of each aggregate its records name,
 *   since a stream cannot be written to: the dispatcher then publishes them again from the ledger;
 * - the dispatcher could not publish a public event of it (origin "dispatcher:publications"): a
 *   replay asking the dispatcher to publish the public events of those versions again (once the
 *   publication is fixed), which no projector takes.
 */
export function planRedrive(message: HeldMessage, shape: DeadLetterShape, context: RedriveContext): RedrivePlan {
  switch (shape.kind) {
    case "queue-redrive": {
      if (shape.sourceQueueArn)
        return { kind: "queue", queueArn: shape.sourceQueueArn, body: message.body, attributes: message.attributes };
      const source = soleSource(context);
      return "arn" in source
        ? { kind: "queue", queueArn: source.arn, body: message.body, attributes: message.attributes }
        : { kind: "none", why: `the message does not say which queue it came from, and ${source.why}` };
    }
    case "bus-target":
      if (!isQueueArn(shape.targetArn)) return { kind: "none", why: `the target ${shape.targetArn} is not an SQS queue` };
      return { kind: "queue", queueArn: shape.targetArn, body: message.body, attributes: withoutDeliveryAttributes(message.attributes) };
    case "schedule-target":
      if (shape.truncated)
        return {
          kind: "none",
          why: "EventBridge Scheduler truncated its input to fit the DLQ, so what is held is not the whole command: the letter stays for an operator (the schedule's name and the reaction's source event say what it was)",
        };
      if (!isQueueArn(shape.targetArn)) return { kind: "none", why: `the schedule's target ${shape.targetArn} is not an SQS queue` };
      return { kind: "queue", queueArn: shape.targetArn, body: message.body, attributes: withoutDeliveryAttributes(message.attributes) };
    case "handler": {
      if (shape.truncated)
        return { kind: "none", why: "its input was truncated to fit the DLQ: replay the aggregate from the ledger instead" };
      const isDispatchers = shape.origin === "dispatcher" || shape.origin === PUBLICATION_LETTER_ORIGIN;
      const others = isDispatchers && context.ledgerTable !== undefined ? otherTablesOfRecords(shape.input, context.ledgerTable) : [];
      if (others.length > 0)
        return {
          kind: "none",
          why: `its stream records are of table ${others.join(", ")}'s stream, not of the ledger ${context.ledgerTable}: its aggregates are that table's, not this ledger's`,
        };
      if (shape.origin === PUBLICATION_LETTER_ORIGIN) {
        if (!context.canReplay)
          return {
            kind: "none",
            why: "a publications letter is redriven by a replay asking the dispatcher to publish those versions' public events again: give the ledger (--ledger-table, --idempotency-table, --domain)",
          };
        const versions = versionsOfPublicationInput(shape.input);
        return versions.length > 0
          ? { kind: "republish", versions }
          : { kind: "none", why: "its stream records name no aggregate version" };
      }
      if (shape.origin === "dispatcher") {
        if (!context.canReplay)
          return {
            kind: "none",
            why: "a dispatcher letter is redriven by replaying its aggregates: give the ledger (--ledger-table, --idempotency-table, --domain)",
          };
        const aggregateIds = aggregatesOfDispatcherInput(shape.input);
        return aggregateIds.length > 0 ? { kind: "replay", aggregateIds } : { kind: "none", why: "its stream records name no aggregate" };
      }
      // A projector's or a reactor's own letter holds the queue message it gave up on (a reactor's, also
      // one command of a reply alone, run under its own key): its body goes back to the consumer's queue.
      if (shape.origin.startsWith("projector:") || shape.origin.startsWith("reactor:")) {
        const body = (shape.input as { body?: unknown } | null)?.body;
        if (typeof body !== "string") return { kind: "none", why: "its input is not a queue message with a body" };
        if (context.projectorQueueArn) return { kind: "queue", queueArn: context.projectorQueueArn, body, attributes: {} };
        const source = soleSource(context);
        return "arn" in source
          ? { kind: "queue", queueArn: source.arn, body, attributes: {} }
          : { kind: "none", why: `cannot tell ${shape.origin}'s queue: ${source.why} (name it with --projector-queue)` };
      }
      return { kind: "none", why: `no known destination for origin "${shape.origin}"` };
    }
    case "unknown":
      return { kind: "none", why: shape.why };
  }
}

const republishLabel = (plan: { versions: { aggregateId: string; versions: number[] }[] }) =>
  plan.versions.map(({ aggregateId, versions }) => `${aggregateId} v${versions.join(", v")}`).join("; ");

const describePlan = (plan: RedrivePlan): string =>
  plan.kind === "queue"
    ? `to queue ${plan.queueArn}`
    : plan.kind === "replay"
      ? `replay of ${plan.aggregateIds.join(", ")} (the dispatcher publishes them again)`
      : plan.kind === "republish"
        ? `public events of ${republishLabel(plan)} published again (a replay for the dispatcher's publications)`
        : `not redrivable: ${plan.why}`;

async function contextOf(
  queue: DeadLetterQueuePort,
  targets: Pick<RedriveTargetsPort, "replay"> | undefined,
  options: RedriveOptions,
): Promise<RedriveContext> {
  return {
    sourceQueues: await queue.sourceQueues(),
    projectorQueueArn: options.projectorQueueArn,
    canReplay: typeof targets?.replay === "function",
    ledgerTable: options.ledgerTable,
  };
}

function view(message: HeldMessage, context: RedriveContext): DeadLetterView {
  const shape = shapeOf(message);
  return {
    messageId: message.messageId,
    shape,
    summary: describeShape(shape),
    destination: describePlan(planRedrive(message, shape, context)),
    sentAt: message.sentAt,
    message,
  };
}

/** Every dead letter the queue holds (up to `limit`), each left where it is. */
export async function listDeadLetters(
  queue: DeadLetterQueuePort,
  options: RedriveOptions & { targets?: Pick<RedriveTargetsPort, "replay"> } = {},
): Promise<{ letters: DeadLetterView[]; more: boolean }> {
  const context = await contextOf(queue, options.targets, options);
  const { messages, more } = await queue.hold(options.limit ?? DEFAULT_LIMIT);
  await queue.release(messages.map((message) => message.messageId));
  return { letters: messages.map((message) => view(message, context)), more };
}

/** One dead letter by id, left where it is; undefined when the queue does not hold it (within `limit`). */
export async function showDeadLetter(
  queue: DeadLetterQueuePort,
  messageId: string,
  options: RedriveOptions & { targets?: Pick<RedriveTargetsPort, "replay"> } = {},
): Promise<DeadLetterView | undefined> {
  const { letters } = await listDeadLetters(queue, options);
  return letters.find((letter) => letter.messageId === messageId);
}

/**
 * Sends dead letters back to where they will be processed again (see planRedrive) and deletes each
 * from the DLQ once it is there; a letter with nowhere to go, or whose sending fails, stays. A
 * letter deleted after it was sent but before the delete succeeded may be processed twice, which
 * the projectors absorb (rows only move forward) and replays tolerate (one per idempotency key).
 */
export async function redriveDeadLetters(
  queue: DeadLetterQueuePort,
  targets: RedriveTargetsPort,
  options: RedriveOptions = {},
): Promise<RedriveReport> {
  const context = await contextOf(queue, targets, options);
  const { messages, more } = await queue.hold(options.limit ?? DEFAULT_LIMIT);
  const wanted = options.ids ? new Set(options.ids) : undefined;
  const report: RedriveReport = {
    redriven: [],
    skipped: [],
    failed: [],
    notFound: options.ids ? options.ids.filter((id) => !messages.some((message) => message.messageId === id)) : [],
    more,
  };
  const done: string[] = [];
  try {
    for (const message of messages) {
      if (wanted && !wanted.has(message.messageId)) continue;
      const shape = shapeOf(message);
      const plan = planRedrive(message, shape, context);
      const outcome: RedriveOutcome = { messageId: message.messageId, shape: shape.kind };
      if (plan.kind === "none") {
        report.skipped.push({ ...outcome, reason: plan.why });
        continue;
      }
      outcome.to =
        plan.kind === "queue"
          ? plan.queueArn
          : plan.kind === "replay"
            ? `replay ${plan.aggregateIds.join(", ")}`
            : `republish ${republishLabel(plan)}`;
      try {
        if (plan.kind === "queue") await targets.sendToQueue(plan.queueArn, plan.body, plan.attributes);
        else if (plan.kind === "replay") for (const id of plan.aggregateIds) await targets.replay!(id, `dlq:${message.messageId}:${id}`);
        else
          for (const { aggregateId, versions } of plan.versions)
            await targets.replay!(aggregateId, `dlq:${message.messageId}:${aggregateId}:publications`, versions);
        done.push(message.messageId);
        report.redriven.push(outcome);
      } catch (error) {
        report.failed.push({ ...outcome, reason: (error as Error)?.message ?? String(error) });
      }
    }
  } finally {
    const undeleted = new Set(done.length > 0 ? await queue.remove(done) : []);
    for (const id of undeleted) {
      const index = report.redriven.findIndex((outcome) => outcome.messageId === id);
      const [outcome] = report.redriven.splice(index, 1);
      report.failed.push({ ...outcome, reason: "sent, but not deleted from the DLQ: it will be redriven again next time" });
    }
    await queue.release(messages.map((message) => message.messageId).filter((id) => !done.includes(id) || undeleted.has(id)));
  }
  return report;
}
