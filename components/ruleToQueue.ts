import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlarmsArgs } from "./alarms";
import type { FunctionComponentArgs, Tags } from "./handlerFunction";
import type { Queues } from "./queueWithDeadLetter";
import { LIMITS, checkedNumber } from "./settings";
import { nameArgs } from "./stackNames";

/** What a component consuming a bus through its own queue takes: Projector, Reactor. */
export interface BusSubscriberArgs extends FunctionComponentArgs {
  /** Deliveries of a message before SQS moves it to the DLQ (1 to 1,000). Default 5. */
  readonly maxReceiveCount?: pulumi.Input<number>;
  /** Messages per invocation (1 to 10,000; above 10 needs `batchingWindowSeconds` of 1 or more). Default 10. */
  readonly batchSize?: pulumi.Input<number>;
  /** Seconds Lambda gathers a batch before invoking (0 to 300). Default: not set (0: invoke as soon as messages arrive). */
  readonly batchingWindowSeconds?: pulumi.Input<number>;
  /**
   * Concurrent invocations at most (2 to 1,000). Default 100: a cap, not a reservation (Lambda
   * starts at 5 and scales while messages wait); lower it where many queues share the account's
   * concurrency, or where what the function writes must not be written faster.
   */
  readonly maximumConcurrency?: pulumi.Input<number>;
  /** How long EventBridge keeps trying to deliver an event to the queue before its DLQ, in seconds (60 to 86,400). Default 86,400 (the maximum). */
  readonly deliveryMaxAgeSeconds?: pulumi.Input<number>;
  /** Alarms on errors, throttles, queue age and dead letters. Default on, without actions. */
  readonly alarms?: AlarmsArgs;
  /**
   * Characters the rule's event pattern may have: a longer one (many event types) is refused when the
   * program runs. Default 2048, EventBridge's default quota; give the raised quota if yours was raised.
   */
  readonly eventPatternMaxCharacters?: number;
}

export interface RuleToQueueArgs {
  /** The component as messages name it. */
  readonly component: string;
  /** The bus the rule is on (its name, or its ARN for another account's bus). */
  readonly busName: pulumi.Input<string>;
  /** The rule's event pattern, as JSON (its size checked by the caller). */
  readonly eventPattern: pulumi.Input<string>;
  /** How long EventBridge keeps trying to deliver an event before its DLQ, in seconds (60 to 86,400). Default 86,400. */
  readonly deliveryMaxAgeSeconds?: pulumi.Input<number>;
  readonly tags?: Tags;
}

/**
 * A rule on a bus whose target is a queue, with the queue's DLQ for what EventBridge cannot deliver,
 * and the queue policies letting only this rule send to either. Children of `parent`: `${name}-rule`,
 * `${name}-queue-policy`, `${name}-dlq-policy`, `${name}-target`.
 */
export function ruleToQueue(name: string, args: RuleToQueueArgs, queues: Queues, parent: pulumi.Resource): aws.cloudwatch.EventRule {
  const rule = new aws.cloudwatch.EventRule(
    `${name}-rule`,
    { eventBusName: args.busName, eventPattern: args.eventPattern, tags: args.tags, ...nameArgs("eventRule", name, "rule") },
    { parent },
  );
  const onlyThisRule = (queue: aws.sqs.Queue, sid: string) =>
    pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: sid,
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: queue.arn,
          Condition: { ArnEquals: { "aws:SourceArn": rule.arn } },
        },
      ],
    });
  const queuePolicy = new aws.sqs.QueuePolicy(
    `${name}-queue-policy`,
    { queueUrl: queues.queue.url, policy: onlyThisRule(queues.queue, "OnlyThisRule") },
    { parent },
  );
  // What EventBridge cannot deliver (after its retries, or at once when denied) lands here, not nowhere.
  const deadLetterPolicy = new aws.sqs.QueuePolicy(
    `${name}-dlq-policy`,
    { queueUrl: queues.deadLetterQueue.url, policy: onlyThisRule(queues.deadLetterQueue, "UndeliverableFromThisRule") },
    { parent },
  );
  new aws.cloudwatch.EventTarget(
    `${name}-target`,
    {
      rule: rule.name,
      eventBusName: args.busName,
      arn: queues.queue.arn,
      deadLetterConfig: { arn: queues.deadLetterQueue.arn },
      retryPolicy: {
        maximumEventAgeInSeconds: checkedNumber(
          args.component,
          "deliveryMaxAgeSeconds",
          args.deliveryMaxAgeSeconds ?? 86_400,
          LIMITS.deliveryMaxAgeSeconds,
        )!,
        maximumRetryAttempts: 185,
      },
    },
    // The rule delivers only once the queues accept it: no event is refused while the consumer is created.
    { parent, dependsOn: [queuePolicy, deadLetterPolicy] },
  );
  return rule;
}
