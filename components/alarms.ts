import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Tags } from "./handlerFunction";
import { nameArgs } from "./stackNames";

/** CloudWatch alarms a component creates for what an operator must act on. */
export interface AlarmsArgs {
  /** Create the alarms. Default true. */
  readonly enabled?: boolean;
  /** Notified when an alarm fires or clears (SNS topic ARNs, usually the on-call topic). Default none: the alarms show in the console only. */
  readonly actions?: pulumi.Input<string>[];
  /** Dispatcher only: stream iterator age, in seconds, above which the ledger's stream is falling behind. Default 300. */
  readonly iteratorAgeSeconds?: pulumi.Input<number>;
  /** Projector only: age, in seconds, of the oldest message in its queue above which the read model is falling behind. Default 900. */
  readonly oldestMessageAgeSeconds?: pulumi.Input<number>;
}

/** The component an alarm belongs to, and the tags it puts on everything it creates. */
export interface AlarmOwner {
  readonly parent: pulumi.Resource;
  readonly tags?: Tags;
}

/** One alarm, `${component}-${part}`: the metric's statistic over 5 minutes crossing a threshold once. */
function alarm(
  component: string,
  part: string,
  args: AlarmsArgs,
  metric: {
    namespace: string;
    metricName: string;
    dimensions: Record<string, pulumi.Input<string>>;
    statistic: "Sum" | "Maximum";
    threshold: pulumi.Input<number>;
    description: string;
  },
  owner: AlarmOwner,
) {
  return new aws.cloudwatch.MetricAlarm(
    `${component}-${part}`,
    {
      namespace: metric.namespace,
      metricName: metric.metricName,
      dimensions: metric.dimensions,
      statistic: metric.statistic,
      period: 300,
      evaluationPeriods: 1,
      threshold: metric.threshold,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      // No data means nothing happened (no errors, empty queue), not an unknown state.
      treatMissingData: "notBreaching",
      alarmDescription: metric.description,
      alarmActions: args.actions ?? [],
      okActions: args.actions ?? [],
      tags: owner.tags,
      ...nameArgs("metricAlarm", component, part),
    },
    { parent: owner.parent },
  );
}

/** Errors and throttles of a function: any is worth a look. */
export function functionAlarms(name: string, fn: aws.lambda.Function, args: AlarmsArgs, owner: AlarmOwner): aws.cloudwatch.MetricAlarm[] {
  if (args.enabled === false) return [];
  const dimensions = { FunctionName: fn.name };
  return [
    alarm(
      name,
      "errors",
      args,
      {
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions,
        statistic: "Sum",
        threshold: 1,
        description: "The function failed: its batch is retried, then dead-lettered or written to the failure destination.",
      },
      owner,
    ),
    alarm(
      name,
      "throttles",
      args,
      {
        namespace: "AWS/Lambda",
        metricName: "Throttles",
        dimensions,
        statistic: "Sum",
        threshold: 1,
        description: "The function was throttled: raise its concurrency or the account's limit.",
      },
      owner,
    ),
  ];
}

/** A dead-letter queue holding anything: every message there is an event a read model or the bus lacks. */
export function deadLetterAlarm(name: string, queue: aws.sqs.Queue, args: AlarmsArgs, owner: AlarmOwner): aws.cloudwatch.MetricAlarm[] {
  if (args.enabled === false) return [];
  return [
    alarm(
      name,
      "dead-letters",
      args,
      {
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: queue.name },
        statistic: "Maximum",
        threshold: 1,
        description: "Dead letters are waiting: read their reason, fix, then redrive or replay.",
      },
      owner,
    ),
  ];
}

/** The dispatcher falling behind its stream (records expire after 24 hours). */
export function iteratorAgeAlarm(name: string, fn: aws.lambda.Function, args: AlarmsArgs, owner: AlarmOwner): aws.cloudwatch.MetricAlarm[] {
  if (args.enabled === false) return [];
  return [
    alarm(
      name,
      "iterator-age",
      args,
      {
        namespace: "AWS/Lambda",
        metricName: "IteratorAge",
        dimensions: { FunctionName: fn.name },
        statistic: "Maximum",
        threshold: pulumi.output(args.iteratorAgeSeconds ?? 300).apply((seconds) => seconds * 1000),
        description: "The dispatcher is behind its stream; records older than 24 hours are lost to the stream.",
      },
      owner,
    ),
  ];
}

/** A projector falling behind its queue. */
export function queueAgeAlarm(name: string, queue: aws.sqs.Queue, args: AlarmsArgs, owner: AlarmOwner): aws.cloudwatch.MetricAlarm[] {
  if (args.enabled === false) return [];
  return [
    alarm(
      name,
      "queue-age",
      args,
      {
        namespace: "AWS/SQS",
        metricName: "ApproximateAgeOfOldestMessage",
        dimensions: { QueueName: queue.name },
        statistic: "Maximum",
        threshold: args.oldestMessageAgeSeconds ?? 900,
        description: "The projector is behind its queue: its read model is stale.",
      },
      owner,
    ),
  ];
}
