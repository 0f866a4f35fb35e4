import type { Context, SQSEvent } from "aws-lambda";
import { AwsClients, resolveClients } from "./runtime/aws/clients";
import { dynamoDbProjector } from "./runtime/aws/factories";
import { SqsDeadLetterQueue } from "./runtime/aws/sqsDeadLetterQueue";
import { ENV } from "./runtime/ledger/conventions";
import { Projection, requireProjection } from "./runtime/projection/projection";
import { Projector } from "./runtime/projection/projector";
import { BatchResponse } from "./runtime/support/batchResponse";
import { optionalEnv, requireEnv } from "./runtime/support/environment";
import { instrumented, log } from "./observability";

/** What the Projector component gives its function: its read model, its DLQ, and the claim-check table. */
export interface ProjectorFunctionSettings {
  readModelTable: string;
  deadLetterQueueUrl: string;
  /** The snapshot table claim checks are resolved from. Default: none. */
  snapshotTable?: string;
}

/** The settings from the environment the component sets, each variable checked. */
export function projectorSettingsFromEnv(): ProjectorFunctionSettings {
  return {
    readModelTable: requireEnv(ENV.readModelTable),
    deadLetterQueueUrl: requireEnv(ENV.deadLetterQueueUrl),
    snapshotTable: optionalEnv(ENV.snapshotTable),
  };
}

/**
 * The Projector Lambda: SQS batch of bus messages in, version-guarded rows out. The component
 * bundles it with the projection module and sets the environment; the settings are read at the
 * first invocation (`settings` to give them another way).
 */
export function createProjectorHandler<S>(
  projection: Projection<S>,
  clients: Partial<AwsClients> = {},
  settings: () => ProjectorFunctionSettings = projectorSettingsFromEnv,
) {
  requireProjection(projection);
  let projector: Projector<S> | undefined;
  const aws = resolveClients(clients);
  const build = (): Projector<S> => {
    const given = settings();
    return dynamoDbProjector({
      projection,
      client: aws.dynamodb,
      readModelTable: given.readModelTable,
      snapshotTable: given.snapshotTable,
      deadLetters: new SqsDeadLetterQueue(aws.sqs, given.deadLetterQueueUrl),
      logger: log,
    }).projector;
  };
  return (event: SQSEvent, context?: Context): Promise<BatchResponse> =>
    instrumented(context, async () => {
      projector ??= build();
      const report = await projector.project(event.Records ?? []);
      log.info("projected queue batch", {
        projector: projection.name,
        messages: event.Records?.length ?? 0,
        ...report,
        batchItemFailures: report.batchItemFailures.length,
      });
      const { written, stale, skipped, deadLettered } = report;
      return {
        result: { batchItemFailures: report.batchItemFailures },
        counts: {
          RowsWritten: written,
          StaleAbsorbed: stale,
          Skipped: skipped,
          DeadLettered: deadLettered,
          MessagesRetried: report.batchItemFailures.length,
        },
      };
    });
}
