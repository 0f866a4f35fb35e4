import { AggregateLoader } from "./runtime/aggregateLoader";
import { AwsClients, resolveClients } from "./runtime/awsClients";
import { ENV } from "./runtime/conventions";
import { SqsDeadLetterQueue } from "./runtime/deadLetters";
import { Dispatcher } from "./runtime/dispatch/dispatcher";
import { EventBridgeBus } from "./runtime/dispatch/publisher";
import { StreamRecord } from "./runtime/dispatch/streamRecords";
import { Domain } from "./runtime/domain";
import { documentClient } from "./runtime/dynamodb/client";
import { DynamoDbEventStore } from "./runtime/dynamodb/ledgerTable";
import { DynamoDbSnapshotStore } from "./runtime/dynamodb/snapshotTable";
import { requireEnv } from "./runtime/environment";
import { log } from "./runtime/log";

/**
 * The AggregateDispatcher Lambda: DynamoDB stream batch in, state-carried events out.
 * The component bundles it with the domain module and sets the environment.
 */
export function createDispatcherHandler<S>(domain: Domain<S, unknown>, clients: Partial<AwsClients> = {}) {
  let dispatcher: Dispatcher<S> | undefined;
  const aws = resolveClients(clients);
  const build = (): Dispatcher<S> => {
    const db = documentClient(aws.dynamodb);
    const snapshots = new DynamoDbSnapshotStore(db, requireEnv(ENV.snapshotTable));
    return new Dispatcher({
      domain,
      loader: new AggregateLoader(domain, new DynamoDbEventStore(db, requireEnv(ENV.ledgerTable)), snapshots),
      snapshots,
      snapshotEvery: Number(process.env[ENV.snapshotEvery] ?? 100),
      bus: new EventBridgeBus(aws.eventBridge, requireEnv(ENV.eventBusName)),
      deadLetters: new SqsDeadLetterQueue(aws.sqs, requireEnv(ENV.deadLetterQueueUrl)),
      source: requireEnv(ENV.serviceName),
    });
  };
  return async (event: { Records: StreamRecord[] }): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> => {
    dispatcher ??= build();
    const report = await dispatcher.dispatch(event.Records ?? []);
    log.info("dispatched stream batch", { records: event.Records?.length ?? 0, ...report, batchItemFailures: report.batchItemFailures.length });
    return { batchItemFailures: report.batchItemFailures };
  };
}
