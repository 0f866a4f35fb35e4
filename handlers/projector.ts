import { AwsClients, resolveClients } from "./runtime/awsClients";
import { ENV } from "./runtime/conventions";
import { SqsDeadLetterQueue } from "./runtime/deadLetters";
import { documentClient } from "./runtime/dynamodb/client";
import { DynamoDbSnapshotStore } from "./runtime/dynamodb/snapshotTable";
import { requireEnv } from "./runtime/environment";
import { log } from "./runtime/log";
import { Projection } from "./runtime/projection/projection";
import { Projector } from "./runtime/projection/projector";
import { DynamoDbReadModel } from "./runtime/projection/readModelTable";

/**
 * The Projector Lambda: SQS batch of bus messages in, version-guarded rows out.
 * The component bundles it with the projection module and sets the environment.
 */
export function createProjectorHandler<S>(projection: Projection<S>, clients: Partial<AwsClients> = {}) {
  let projector: Projector<S> | undefined;
  const aws = resolveClients(clients);
  const build = (): Projector<S> => {
    const db = documentClient(aws.dynamodb);
    const snapshotTable = process.env[ENV.snapshotTable];
    return new Projector({
      projection,
      readModel: new DynamoDbReadModel(db, requireEnv(ENV.readModelTable)),
      snapshots: snapshotTable ? new DynamoDbSnapshotStore(db, snapshotTable) : undefined,
      deadLetters: new SqsDeadLetterQueue(aws.sqs, requireEnv(ENV.deadLetterQueueUrl)),
    });
  };
  return async (event: { Records: { messageId: string; body: string }[] }): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> => {
    projector ??= build();
    const report = await projector.project(event.Records ?? []);
    log.info("projected queue batch", { projector: projection.name, messages: event.Records?.length ?? 0, ...report, batchItemFailures: report.batchItemFailures.length });
    return { batchItemFailures: report.batchItemFailures };
  };
}
