import { SchedulerClient } from "@aws-sdk/client-scheduler";
import type { Context, SQSEvent } from "aws-lambda";
import { AwsClients, FUNCTION_CLIENT_CONFIG, resolveClients } from "./runtime/aws/clients";
import { EventBridgeScheduler } from "./runtime/aws/eventBridgeScheduler";
import { dynamoDbReactor } from "./runtime/aws/factories";
import { SqsDeadLetterQueue } from "./runtime/aws/sqsDeadLetterQueue";
import { ENV, START_POLICIES, StartPolicy } from "./runtime/ledger/conventions";
import { Reaction, requireReaction } from "./runtime/reaction/reaction";
import { Reactor } from "./runtime/reaction/reactor";
import { BatchResponse } from "./runtime/support/batchResponse";
import { choiceEnv, integerEnv, optionalEnv, requireEnv } from "./runtime/support/environment";
import { instrumented, log } from "./observability";

/** What the Reactor component gives its function: the reacting service's tables, its DLQ, and its schedules. */
export interface ReactorFunctionSettings {
  ledgerTable: string;
  idempotencyTable: string;
  snapshotTable?: string;
  deadLetterQueueUrl: string;
  /** The queue's maxReceiveCount (its redrive policy): on the last receive a failing version is given up on. Default: unknown. */
  maxReceiveCount?: number;
  /** How long a claim holds a source aggregate if its holder never completes it, in ms (see ReactorOptions). */
  claimLeaseMs?: number;
  /** How the reaction's commands start (see StartPolicy). Default "memory-first". */
  start?: StartPolicy;
  /** Where commands asked for later are scheduled: present when the component creates a schedule group. */
  schedules?: { groupName: string; queueArn: string; roleArn: string; deadLetterQueueArn: string };
}

/** The settings from the environment the component sets, each variable checked. */
export function reactorSettingsFromEnv(): ReactorFunctionSettings {
  const groupName = optionalEnv(ENV.scheduleGroup);
  return {
    ledgerTable: requireEnv(ENV.ledgerTable),
    idempotencyTable: requireEnv(ENV.idempotencyTable),
    snapshotTable: optionalEnv(ENV.snapshotTable),
    deadLetterQueueUrl: requireEnv(ENV.deadLetterQueueUrl),
    start: choiceEnv(ENV.startPolicy, START_POLICIES),
    maxReceiveCount: integerEnv(ENV.maxReceiveCount, 1),
    claimLeaseMs: integerEnv(ENV.claimLeaseMs, 1),
    schedules: groupName
      ? {
          groupName,
          queueArn: requireEnv(ENV.reactorQueueArn),
          roleArn: requireEnv(ENV.schedulerRoleArn),
          deadLetterQueueArn: requireEnv(ENV.deadLetterQueueArn),
        }
      : undefined,
  };
}

/**
 * The Reactor Lambda: an SQS batch of source events (and of scheduled commands come due) in,
 * commands on the reacting service's ledger out, with partial batch responses. The component
 * bundles it with the reaction module and sets the environment; the settings are read at the first
 * invocation (`settings` to give them another way).
 */
export function createReactorHandler<C>(
  reaction: Reaction<C>,
  clients: Partial<AwsClients & { scheduler: SchedulerClient }> = {},
  settings: () => ReactorFunctionSettings = reactorSettingsFromEnv,
) {
  requireReaction(reaction);
  let reactor: Reactor<C> | undefined;
  const aws = resolveClients(clients);
  const build = (): Reactor<C> => {
    const given = settings();
    return dynamoDbReactor({
      reaction,
      client: aws.dynamodb,
      ledgerTable: given.ledgerTable,
      idempotencyTable: given.idempotencyTable,
      snapshotTable: given.snapshotTable,
      deadLetters: new SqsDeadLetterQueue(aws.sqs, given.deadLetterQueueUrl),
      commands: given.start ? { start: given.start } : undefined,
      maxReceiveCount: given.maxReceiveCount,
      claimLeaseMs: given.claimLeaseMs,
      scheduler: given.schedules
        ? new EventBridgeScheduler(clients.scheduler ?? new SchedulerClient(FUNCTION_CLIENT_CONFIG), given.schedules)
        : undefined,
      logger: log,
    }).reactor;
  };
  return (event: SQSEvent, context?: Context): Promise<BatchResponse> =>
    instrumented(context, async () => {
      reactor ??= build();
      const report = await reactor.react(event.Records ?? []);
      log.info("reacted to queue batch", {
        reaction: reaction.name,
        messages: event.Records?.length ?? 0,
        ...report,
        batchItemFailures: report.batchItemFailures.length,
      });
      return {
        result: { batchItemFailures: report.batchItemFailures },
        counts: {
          ReactionsActed: report.acted,
          ReactionsSuperseded: report.superseded,
          ReactionsWaiting: report.waiting,
          CommandsApplied: report.applied,
          CommandsRepeated: report.repeated,
          CommandsRejected: report.rejected,
          CommandsScheduled: report.scheduled,
          DeadLettered: report.deadLettered,
          MessagesRetried: report.batchItemFailures.length,
        },
      };
    });
}
