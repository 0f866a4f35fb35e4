import { AggregateLoader } from "./runtime/ledger/aggregateLoader";
import { AwsClients, resolveClients } from "./runtime/aws/clients";
import { ENV } from "./runtime/ledger/conventions";
import { SqsDeadLetterQueue } from "./runtime/aws/sqsDeadLetterQueue";
import { Dispatcher } from "./runtime/dispatch/dispatcher";
import { EventBridgeBus } from "./runtime/aws/eventBridgeBus";
import { StreamRecord } from "./runtime/dispatch/streamRecords";
import { Domain, requireDomain } from "./runtime/domain/domain";
import { documentClient } from "./runtime/aws/documentClient";
import { DynamoDbEventStore } from "./runtime/aws/dynamoDbEventStore";
import { DynamoDbSnapshotStore } from "./runtime/aws/dynamoDbSnapshotStore";
import { integerEnv, requireEnv } from "./runtime/support/environment";
import type { Context, DynamoDBStreamEvent } from "aws-lambda";
import { instrumented, log } from "./observability";
import { BatchResponse } from "./runtime/support/batchResponse";
import { unmarshallImage } from "./runtime/aws/streamImages";

/**
 * The AggregateDispatcher Lambda: DynamoDB stream batch in, state-carried events out.
 * The component bundles it with the domain module and sets the environment.
 */
export function createDispatcherHandler<S>(domain: Domain<S, unknown>, clients: Partial<AwsClients> = {}) {
  requireDomain(domain);
  let dispatcher: Dispatcher<S> | undefined;
  const aws = resolveClients(clients);
  const build = (): Dispatcher<S> => {
    const db = documentClient(aws.dynamodb);
    const snapshots = new DynamoDbSnapshotStore(db, requireEnv(ENV.snapshotTable));
    return new Dispatcher({ unmarshall: unmarshallImage,
      domain,
      loader: new AggregateLoader(domain, new DynamoDbEventStore(db, requireEnv(ENV.ledgerTable)), snapshots),
      snapshots,
      snapshotEvery: integerEnv(ENV.snapshotEvery, 0) ?? 100,
      bus: new EventBridgeBus(aws.eventBridge, requireEnv(ENV.eventBusName)),
      deadLetters: new SqsDeadLetterQueue(aws.sqs, requireEnv(ENV.deadLetterQueueUrl)),
      source: requireEnv(ENV.serviceName),
    });
  };
  return (event: DynamoDBStreamEvent, context?: Context): Promise<BatchResponse> =>
    instrumented(context, async () => {
      dispatcher ??= build();
      const records = (event.Records ?? []) as StreamRecord[];
      const report = await dispatcher.dispatch(records);
      log.info("dispatched stream batch", { records: records.length, ...report, batchItemFailures: report.batchItemFailures.length });
      const { published, byReference, refused, resent, deadLettered } = report;
      return {
        result: { batchItemFailures: report.batchItemFailures },
        counts: { Published: published, PublishedByReference: byReference, Refused: refused, Resent: resent, DeadLettered: deadLettered, RecordsRetried: report.batchItemFailures.length },
      };
    });
}
