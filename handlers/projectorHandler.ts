import { AwsClients, resolveClients } from "./runtime/aws/clients";
import { ENV } from "./runtime/ledger/conventions";
import { SqsDeadLetterQueue } from "./runtime/aws/sqsDeadLetterQueue";
import { documentClient } from "./runtime/aws/documentClient";
import { DynamoDbSnapshotStore } from "./runtime/aws/dynamoDbSnapshotStore";
import { optionalEnv, requireEnv } from "./runtime/support/environment";
import type { Context, SQSEvent } from "aws-lambda";
import { instrumented, log } from "./observability";
import { BatchResponse } from "./runtime/support/batchResponse";
import { Projection, requireProjection } from "./runtime/projection/projection";
import { Projector } from "./runtime/projection/projector";
import { DynamoDbReadModel } from "./runtime/aws/dynamoDbReadModel";

/**
 * The Projector Lambda: SQS batch of bus messages in, version-guarded rows out.
 * The component bundles it with the projection module and sets the environment.
 */
export function createProjectorHandler<S>(projection: Projection<S>, clients: Partial<AwsClients> = {}) {
  requireProjection(projection);
  let projector: Projector<S> | undefined;
  const aws = resolveClients(clients);
  const build = (): Projector<S> => {
    const db = documentClient(aws.dynamodb);
    const snapshotTable = optionalEnv(ENV.snapshotTable);
    return new Projector({
      projection,
      readModel: new DynamoDbReadModel(db, requireEnv(ENV.readModelTable)),
      snapshots: snapshotTable ? new DynamoDbSnapshotStore(db, snapshotTable) : undefined,
      deadLetters: new SqsDeadLetterQueue(aws.sqs, requireEnv(ENV.deadLetterQueueUrl)),
    });
  };
  return (event: SQSEvent, context?: Context): Promise<BatchResponse> =>
    instrumented(context, async () => {
      projector ??= build();
      const report = await projector.project(event.Records ?? []);
      log.info("projected queue batch", { projector: projection.name, messages: event.Records?.length ?? 0, ...report, batchItemFailures: report.batchItemFailures.length });
      const { written, stale, skipped, deadLettered } = report;
      return {
        result: { batchItemFailures: report.batchItemFailures },
        counts: { RowsWritten: written, StaleAbsorbed: stale, Skipped: skipped, DeadLettered: deadLettered, MessagesRetried: report.batchItemFailures.length },
      };
    });
}
