import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SQS_MAX_MESSAGE_BYTES } from "../handlers/runtime/ledger/conventions";
import { AlarmsArgs, deadLetterAlarm, queueAgeAlarm } from "./alarms";
import type { HandlerFunction, Tags } from "./handlerFunction";
import { LIMITS, checkedInput, checkedNumber } from "./settings";
import { nameArgs } from "./stackNames";

/** The two queues, as the consuming function's statements and variables name them. */
export interface Queues {
  readonly queue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;
}

/**
 * Concurrent batches a queue's function runs at most, unless given. A cap, not a reservation:
 * Lambda's pollers start at 5 and add more only while messages wait. 100 is what keeps a read
 * model within a minute at 10× the local stage's load in the scale simulation (p99 lag 10 s,
 * about 3% more per hour than 5, which holds about 650 messages a second; docs/scale.md).
 */
export const DEFAULT_MAXIMUM_CONCURRENCY = 100;
/** Messages per invocation, unless given: SQS's most without a batching window. */
export const DEFAULT_QUEUE_BATCH_SIZE = 10;

/** How Lambda polls the main queue for its function. */
export interface QueueConsumerArgs<F extends HandlerFunction> {
  /** Creates the consuming function once the queues exist (its statements and variables name them). */
  readonly create: (queues: Queues) => F;
  /** Messages per invocation (1 to 10,000; above 10 needs `batchingWindowSeconds` of 1 or more). Default 10. */
  readonly batchSize?: pulumi.Input<number>;
  /** Seconds Lambda gathers a batch (0 to 300). Default: not set (0). */
  readonly batchingWindowSeconds?: pulumi.Input<number>;
  /** Concurrent invocations at most (2 to 1,000). Default 100 (DEFAULT_MAXIMUM_CONCURRENCY). */
  readonly maximumConcurrency?: pulumi.Input<number>;
}

export interface QueueWithDeadLetterArgs<F extends HandlerFunction> {
  /** The component as messages name it, e.g. `Projector "svc-balances"`. */
  readonly component: string;
  /**
   * A main queue redriving to the dead-letter queue, consumed by a function. Default none: a
   * dead-letter queue alone, which a function sends what it cannot process to itself.
   */
  readonly queue?: {
    /** Seconds a received message stays hidden (Lambda advises six times the function's timeout). */
    readonly visibilityTimeoutSeconds: pulumi.Input<number>;
    /** Receives of a message before SQS moves it to the dead-letter queue (1 to 1,000). Default 5. */
    readonly maxReceiveCount?: pulumi.Input<number>;
    readonly consumer: QueueConsumerArgs<F>;
  };
  /** Seconds the dead-letter queue keeps a message (60 to 1,209,600). Default 1,209,600 (14 days, the maximum). */
  readonly deadLetterRetentionSeconds?: pulumi.Input<number>;
  /** The component's alarms: the main queue's oldest message, any dead letter. */
  readonly alarms: AlarmsArgs;
  readonly tags?: Tags;
}

export interface QueueWithDeadLetter<F extends HandlerFunction> {
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly queue?: aws.sqs.Queue;
  /** The consuming function, as `queue.consumer.create` made it. */
  readonly consumer?: F;
  readonly eventSourceMapping?: aws.lambda.EventSourceMapping;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
}

/** SQS's own limits on a batch: at most 10 messages unless Lambda may wait at least a second to gather more. */
function batchProblem([batchSize, window]: [number, number]): string | undefined {
  return batchSize > 10 && window < 1
    ? `of ${batchSize} (above 10) needs batchingWindowSeconds of at least 1, got ${window}: Lambda refuses a larger SQS batch without a batching window`
    : undefined;
}

/**
 * A dead-letter queue, and optionally a main queue redriving to it that Lambda polls for a function
 * (partial batch responses, bounded concurrency), with their alarms. Both queues take SQS's largest
 * message (whatever PutEvents accepts, envelope included, is deliverable) and SQS-managed encryption.
 * Children of `parent`: `${name}-dlq`, `${name}-queue`, `${name}-source`, `${name}-queue-age`, `${name}-dead-letters`.
 */
export function queueWithDeadLetter<F extends HandlerFunction>(
  name: string,
  args: QueueWithDeadLetterArgs<F>,
  parent: pulumi.Resource,
): QueueWithDeadLetter<F> {
  const { component, tags } = args;
  const deadLetterQueue = new aws.sqs.Queue(
    `${name}-dlq`,
    {
      messageRetentionSeconds: checkedNumber(
        component,
        "deadLetterRetentionSeconds",
        args.deadLetterRetentionSeconds ?? 1_209_600,
        LIMITS.messageRetentionSeconds,
      ),
      maxMessageSize: SQS_MAX_MESSAGE_BYTES,
      sqsManagedSseEnabled: true,
      tags,
      ...nameArgs("sqsQueue", name, "dlq"),
    },
    { parent },
  );
  const owner = { parent, tags };
  if (!args.queue) return { deadLetterQueue, alarms: deadLetterAlarm(name, deadLetterQueue, args.alarms, owner) };

  const { consumer: mapping } = args.queue;
  const queue = new aws.sqs.Queue(
    `${name}-queue`,
    {
      visibilityTimeoutSeconds: args.queue.visibilityTimeoutSeconds,
      tags,
      maxMessageSize: SQS_MAX_MESSAGE_BYTES,
      sqsManagedSseEnabled: true,
      redrivePolicy: pulumi.jsonStringify({
        deadLetterTargetArn: deadLetterQueue.arn,
        maxReceiveCount: checkedNumber(component, "maxReceiveCount", args.queue.maxReceiveCount ?? 5, LIMITS.maxReceiveCount),
      }),
      ...nameArgs("sqsQueue", name, "queue"),
    },
    { parent },
  );
  const consumer = mapping.create({ queue, deadLetterQueue });
  const batchSize = checkedNumber(component, "batchSize", mapping.batchSize ?? DEFAULT_QUEUE_BATCH_SIZE, LIMITS.sqsBatchSize)!;
  const window = checkedNumber(component, "batchingWindowSeconds", mapping.batchingWindowSeconds, LIMITS.batchingWindowSeconds);
  const eventSourceMapping = new aws.lambda.EventSourceMapping(
    `${name}-source`,
    {
      eventSourceArn: queue.arn,
      functionName: consumer.fn.arn,
      batchSize: checkedBatch(component, batchSize, window),
      maximumBatchingWindowInSeconds: window,
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: {
        maximumConcurrency: checkedNumber(
          component,
          "maximumConcurrency",
          mapping.maximumConcurrency ?? DEFAULT_MAXIMUM_CONCURRENCY,
          LIMITS.maximumConcurrency,
        ),
      },
      tags,
    },
    // Lambda polls with the function's role: its statements first.
    { parent, dependsOn: [consumer.policy] },
  );
  const alarms = [...queueAgeAlarm(name, queue, args.alarms, owner), ...deadLetterAlarm(name, deadLetterQueue, args.alarms, owner)];
  return { deadLetterQueue, queue, consumer, eventSourceMapping, alarms };
}

/** The batch size, refused with the batching window it needs (when both are known). */
function checkedBatch(component: string, batchSize: pulumi.Input<number>, window: pulumi.Input<number> | undefined): pulumi.Input<number> {
  const plain = (value: pulumi.Input<number> | undefined) => !pulumi.Output.isInstance(value) && !(value instanceof Promise);
  if (plain(batchSize) && plain(window)) {
    return checkedInput(component, "batchSize", batchSize, () => batchProblem([batchSize as number, (window as number | undefined) ?? 0]));
  }
  return pulumi
    .all([batchSize, window ?? 0])
    .apply(([size, seconds]) => checkedInput(component, "batchSize", size, () => batchProblem([size, seconds])) as number);
}
