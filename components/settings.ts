import * as pulumi from "@pulumi/pulumi";
import { SettingRule, settingProblem } from "../handlers/runtime/support/environment";
import { ConfigurationError } from "../handlers/runtime/support/errors";

/**
 * What a numeric argument may be, as the AWS API that receives it accepts: an integer from `min` to
 * `max` (and any of `also`, e.g. -1 for "no limit"), or one of `oneOf`.
 */
export type NumberRule =
  { readonly min: number; readonly max: number; readonly also?: readonly number[] } | { readonly oneOf: readonly number[] };

const grouped = (value: number) => value.toLocaleString("en-US");

/** What is wrong with a value for this rule, or undefined. */
export function numberProblem(value: unknown, rule: NumberRule): string | undefined {
  const integer = typeof value === "number" && Number.isSafeInteger(value);
  if ("oneOf" in rule)
    return integer && rule.oneOf.includes(value) ? undefined : `must be one of ${rule.oneOf.join(", ")}, got ${JSON.stringify(value)}`;
  if (integer && ((value >= rule.min && value <= rule.max) || rule.also?.includes(value))) return undefined;
  const also = rule.also?.length ? `${rule.also.join(", ")} or ` : "";
  return `must be ${also}an integer from ${grouped(rule.min)} to ${grouped(rule.max)}, got ${JSON.stringify(value)}`;
}

/**
 * `value` checked with `problem` when the program runs: a plain value at once (and returned as it
 * is), a value only known at deploy time when it resolves (the preview or `pulumi up` of whatever
 * takes it fails, naming the component and the argument).
 */
export function checkedInput<T>(
  component: string,
  argument: string,
  value: pulumi.Input<T>,
  problem: (resolved: unknown) => string | undefined,
): pulumi.Input<T> {
  const checked = (resolved: T): T => {
    const found = problem(resolved);
    if (found) throw new ConfigurationError(`${component}: ${argument}`, found);
    return resolved;
  };
  if (pulumi.Output.isInstance(value) || value instanceof Promise)
    return (pulumi.output(value) as pulumi.Output<T>).apply(checked) as pulumi.Input<T>;
  return checked(value as T);
}

/** A numeric argument AWS would refuse at deploy, refused when the program runs (see `checkedInput`); undefined stays undefined. */
export function checkedNumber(
  component: string,
  argument: string,
  value: pulumi.Input<number> | undefined,
  rule: NumberRule,
): pulumi.Input<number> | undefined {
  return value === undefined ? undefined : checkedInput(component, argument, value, (resolved) => numberProblem(resolved, rule));
}

/**
 * A component argument as the environment variable its function reads, checked against the rule
 * the function checks at cold start (see `checkedInput`).
 */
export function settingVariable(
  component: string,
  argument: string,
  value: pulumi.Input<number | string>,
  rule: SettingRule,
): pulumi.Output<string> {
  return pulumi.output(checkedInput(component, argument, value, (resolved) => settingProblem(resolved, rule))).apply(String);
}

/** Days CloudWatch Logs may keep a log group's events (0: never expire). */
export const LOG_RETENTION_DAYS = [
  0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The limits of the numeric arguments AWS checks only at deploy. */
export const LIMITS = {
  /** SQS event source: concurrent invocations (scaling config). */
  maximumConcurrency: { min: 2, max: 1000 },
  /** SQS event source (standard queue): messages per batch. */
  sqsBatchSize: { min: 1, max: 10_000 },
  /** DynamoDB stream event source: records per batch. */
  streamBatchSize: { min: 1, max: 10_000 },
  /** Seconds an event source gathers a batch. */
  batchingWindowSeconds: { min: 0, max: 300 },
  /** DynamoDB stream event source: batches of one shard processed at once. */
  parallelizationFactor: { min: 1, max: 10 },
  /** Stream retries of a failing batch (-1: until the record expires). */
  maximumRetryAttempts: { min: -1, max: 10_000 },
  /** Age of a stream record in seconds after which it is given up on (-1: never). */
  maximumRecordAgeSeconds: { min: 60, max: 604_800, also: [-1] },
  /** Receives of an SQS message before its redrive to the dead-letter queue. */
  maxReceiveCount: { min: 1, max: 1000 },
  /** Seconds EventBridge retries delivering an event to a target. */
  deliveryMaxAgeSeconds: { min: 60, max: 86_400 },
  /** Seconds SQS keeps a message. */
  messageRetentionSeconds: { min: 60, max: 1_209_600 },
  logRetentionDays: { oneOf: LOG_RETENTION_DAYS },
} as const satisfies Record<string, NumberRule>;
